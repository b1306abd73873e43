// AVX2/FMA stem conv: 4 pixels x 16 output channels per step, masked tail (impl.h).
#include "kernels/conv2d/conv2d.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/conv2d/impl.h"

namespace mc {

void f32_conv2d_p4c16__avx2_fma3(const Conv2dParams* p, const float* in, const float* w,
                                 const float* bias, float* out) {
  conv2d_impl::conv2d<avx2::Vec>(p, in, w, bias, out);
}

}  // namespace mc
