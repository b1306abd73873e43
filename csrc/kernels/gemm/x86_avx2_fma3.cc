// AVX2/FMA gemm: 6x16 register tile (12 ymm accumulators, 2 ymm panel loads, A broadcast),
// masked column tail (impl.h).
#include "kernels/gemm/gemm.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/gemm/impl.h"

namespace mc {

void f32_gemm_6x16__avx2_fma3(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                              const float* packed_w, float* c, size_t c_stride,
                              const float* residual, size_t r_stride, Act act) {
  gemm_impl::gemm<avx2::Vec, 6, 1>(m, n, k, a, a_stride, packed_w, c, c_stride, residual,
                                   r_stride, act);
}

}  // namespace mc
