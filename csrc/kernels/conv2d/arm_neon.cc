// NEON stem conv: 4 pixels x 8 output channels per step, buffered tail (impl.h).
#include "kernels/conv2d/conv2d.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/conv2d/impl.h"

namespace mc {

void f32_conv2d_p4c8__neon(const Conv2dParams* p, const float* in, const float* w,
                           const float* bias, float* out) {
  conv2d_impl::conv2d<neon::Vec>(p, in, w, bias, out);
}

}  // namespace mc
