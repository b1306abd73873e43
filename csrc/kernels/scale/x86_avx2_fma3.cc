// AVX2 scale: per pixel, 32 channels per step, then 8, then a masked tail (impl.h).
#include "kernels/scale/scale.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/scale/impl.h"

namespace mc {

void f32_scale_c32__avx2_fma3(size_t pixels, size_t channels, const float* x, const float* s,
                              float* y) {
  scale_impl::scale<avx2::Vec>(pixels, channels, x, s, y);
}

}  // namespace mc
