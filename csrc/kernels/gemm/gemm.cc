#include "kernels/gemm/gemm.h"

#include <cassert>
#include <cstring>

namespace mc {
namespace {
const GemmKernel kGemmKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/gemm/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<GemmFn> gemm_kernels() {
  return {kGemmKernels, sizeof(kGemmKernels) / sizeof(kGemmKernels[0])};
}

const GemmKernel& get_gemm_kernel(uint64_t isa) { return gemm_kernels().pick(isa); }

void pack_gemm_weights(size_t n, size_t k, const float* w_kn, const float* bias, float* packed) {
  assert(n >= 1 && k >= 1 && w_kn != nullptr && packed != nullptr);
  for (size_t j0 = 0; j0 < n; j0 += kGemmNR) {
    const size_t nc = n - j0 < kGemmNR ? n - j0 : kGemmNR;
    float* panel = packed + j0 * (k + 1);  // panel q starts at q * kGemmNR * (k + 1)
    std::memset(panel, 0, kGemmNR * (k + 1) * sizeof(float));
    if (bias != nullptr) std::memcpy(panel, bias + j0, nc * sizeof(float));
    for (size_t p = 0; p < k; ++p) {
      std::memcpy(panel + kGemmNR * (p + 1), w_kn + p * n + j0, nc * sizeof(float));
    }
  }
}

}  // namespace mc
