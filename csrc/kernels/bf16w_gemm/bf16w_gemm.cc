#include "kernels/bf16w_gemm/bf16w_gemm.h"

#include <cassert>

namespace mc {
namespace {
const Bf16wGemmKernel kBf16wGemmKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/bf16w_gemm/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<Bf16wGemmFn> bf16w_gemm_kernels() {
  return {kBf16wGemmKernels, sizeof(kBf16wGemmKernels) / sizeof(kBf16wGemmKernels[0])};
}

const Bf16wGemmKernel& get_bf16w_gemm_kernel(uint64_t isa) {
  return bf16w_gemm_kernels().pick(isa);
}

void pack_bf16w_weights(size_t n, size_t k, const float* w_kn, const float* bias,
                        uint16_t* packed) {
  assert(n >= 1 && k >= 1 && w_kn != nullptr && packed != nullptr);
  for (size_t j0 = 0; j0 < n; j0 += kBf16wNR, packed += bf16w_panel_elems(k)) {
    const size_t nc = n - j0 < kBf16wNR ? n - j0 : kBf16wNR;
    float b[kBf16wNR] = {};
    for (size_t jj = 0; jj < nc && bias != nullptr; ++jj) b[jj] = bias[j0 + jj];
    std::memcpy(packed, b, sizeof b);
    uint16_t* w = packed + 2 * kBf16wNR;
    for (size_t p = 0; p < k; ++p) {
      for (size_t jj = 0; jj < kBf16wNR; ++jj) {
        w[p * kBf16wNR + jj] = jj < nc ? to_bf16(w_kn[p * n + j0 + jj]) : 0;
      }
    }
  }
}

}  // namespace mc
