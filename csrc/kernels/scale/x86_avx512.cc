// AVX-512 scale: per pixel, 64 channels per step, then 16, then a opmask tail (impl.h).
#include "kernels/scale/scale.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/scale/impl.h"

namespace mc {

void f32_scale_c64__avx512(size_t pixels, size_t channels, const float* x, const float* s,
                           float* y) {
  scale_impl::scale<avx512::Vec>(pixels, channels, x, s, y);
}

}  // namespace mc
