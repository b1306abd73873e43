// AVX-512 stem conv: 4 pixels x 32 output channels per step, opmask tail (impl.h).
#include "kernels/conv2d/conv2d.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/conv2d/impl.h"

namespace mc {

void f32_conv2d_p4c32__avx512(const Conv2dParams* p, const float* in, const float* w,
                              const float* bias, float* out) {
  conv2d_impl::conv2d<avx512::Vec>(p, in, w, bias, out);
}

}  // namespace mc
