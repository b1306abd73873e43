// Pointwise (1x1x1) convolution as GEMM with a fused epilogue:
//   C[i][j] = act(sum_p A[i][p] * W[p][j] + bias[j]) + (residual ? R[i][j] : 0)
// for i < m, j < n, p < k. Layout: channels-last rows (pixels x channels), strides in floats.
// W and bias are pre-packed once by pack_gemm_weights() into panels of kGemmNR columns:
//   panel q (q < ceil(n / kGemmNR)): kGemmNR biases, then k rows of kGemmNR weights;
//   columns past n are zero. Every variant reads this one layout.
// Contract: m, n, k >= 1; no read past A[m-1][k-1], no write past C[m-1][n-1] (tails masked);
// C must not alias A; residual may be null; no alignment requirement; never allocates.
#pragma once

#include <cstddef>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

constexpr size_t kGemmNR = 16;

typedef void (*GemmFn)(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                       const float* packed_w, float* c, size_t c_stride, const float* residual,
                       size_t r_stride, Act act);

// Floats needed for the packed weights of an n x k (out x in) layer.
inline size_t gemm_packed_size(size_t n, size_t k) {
  return (n + kGemmNR - 1) / kGemmNR * kGemmNR * (k + 1);
}
// w_kn: k rows of n weights (row-major, i.e. W[p][j]); bias may be null (zeros).
void pack_gemm_weights(size_t n, size_t k, const float* w_kn, const float* bias, float* packed);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                                   \
  void name(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_w, \
            float* c, size_t c_stride, const float* residual, size_t r_stride, Act act);
#include "kernels/gemm/kernels.inc"
#undef MC_KERNEL

using GemmKernel = KernelEntry<GemmFn>;
KernelList<GemmFn> gemm_kernels();
const GemmKernel& get_gemm_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
