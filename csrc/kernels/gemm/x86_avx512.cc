// AVX-512 gemm: MR x 32 register tiles over two packed panels side by side (MR*2 zmm
// accumulators, 2 zmm weight loads per k, A broadcast), opmask column tail (impl.h).
#include "kernels/gemm/gemm.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/gemm/impl.h"

namespace mc {

void f32_gemm_7x32__avx512(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                           const float* packed_w, float* c, size_t c_stride,
                           const float* residual, size_t r_stride, Act act) {
  gemm_impl::gemm<avx512::Vec, 7, 2>(m, n, k, a, a_stride, packed_w, c, c_stride, residual,
                                     r_stride, act);
}

}  // namespace mc
