// NEON scale: per pixel, 16 channels per step, then 4, then a stack-buffer tail (impl.h).
#include "kernels/scale/scale.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/scale/impl.h"

namespace mc {

void f32_scale_c16__neon(size_t pixels, size_t channels, const float* x, const float* s,
                         float* y) {
  scale_impl::scale<neon::Vec>(pixels, channels, x, s, y);
}

}  // namespace mc
