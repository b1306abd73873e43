#include "kernels/qgemm/qgemm.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstring>

namespace mc {
namespace {
const QGemmKernel kQGemmKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/qgemm/kernels.inc"
#undef MC_KERNEL
};

}  // namespace

KernelList<QGemmFn> qgemm_kernels() {
  return {kQGemmKernels, sizeof(kQGemmKernels) / sizeof(kQGemmKernels[0])};
}

const QGemmKernel& get_qgemm_kernel(uint64_t isa) { return qgemm_kernels().pick(isa); }

void pack_qgemm_weights(size_t n, size_t k, const int8_t* w_kn, const float* scale,
                        const float* bias, void* packed) {
  assert(n >= 1 && k >= 1 && k <= kQGemmMaxK && w_kn != nullptr && scale != nullptr);
  const size_t kc = qgemm_round_k(k);
  uint8_t* out = static_cast<uint8_t*>(packed);
  for (size_t j0 = 0; j0 < n; j0 += kQGemmNR, out += qgemm_panel_bytes(k)) {
    const size_t nc = std::min(kQGemmNR, n - j0);
    int32_t colsum[kQGemmNR] = {};
    float sc[kQGemmNR] = {}, b[kQGemmNR] = {};
    int8_t* w = reinterpret_cast<int8_t*>(out + kQGemmNR * 3 * sizeof(float));
    std::memset(w, 0, kQGemmNR * kc);
    for (size_t jj = 0; jj < nc; ++jj) {
      sc[jj] = scale[j0 + jj];
      b[jj] = bias != nullptr ? bias[j0 + jj] : 0.f;
      for (size_t p = 0; p < k; ++p) {
        const int8_t v = w_kn[p * n + j0 + jj];
        colsum[jj] += v;
        w[(p / kQGemmKR) * kQGemmNR * kQGemmKR + jj * kQGemmKR + p % kQGemmKR] = v;
      }
    }
    std::memcpy(out, colsum, sizeof colsum);
    std::memcpy(out + sizeof colsum, sc, sizeof sc);
    std::memcpy(out + sizeof colsum + sizeof sc, b, sizeof b);
  }
}

}  // namespace mc
