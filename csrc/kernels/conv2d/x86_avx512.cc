// AVX-512 stem conv: 4 pixels x 32 output channels per step, opmask tail (impl.h). Up to 8
// output channels (the MoViNet stems) a half-empty masked zmm loses to a full ymm: those run
// the same body over 256-bit vectors.
#include "kernels/conv2d/conv2d.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/conv2d/impl.h"

namespace mc {

void f32_conv2d_p4c32__avx512(const Conv2dParams* p, const float* in, const float* w,
                              const float* bias, float* out) {
  if (p->out_c <= avx2::Vec::kWidth) return conv2d_impl::conv2d<avx2::Vec>(p, in, w, bias, out);
  conv2d_impl::conv2d<avx512::Vec>(p, in, w, bias, out);
}

}  // namespace mc
