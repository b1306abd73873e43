// NEON gemm: 6x16 register tile (24 float32x4 accumulators of the 32 AArch64 vector registers,
// 4 panel loads, A broadcast), column tail through a stack buffer (impl.h).
#include "kernels/gemm/gemm.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/gemm/impl.h"

namespace mc {

void f32_gemm_6x16__neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                         const float* packed_w, float* c, size_t c_stride, const float* residual,
                         size_t r_stride, Act act) {
  gemm_impl::gemm<neon::Vec, 6, 1>(m, n, k, a, a_stride, packed_w, c, c_stride, residual,
                                   r_stride, act);
}

}  // namespace mc
