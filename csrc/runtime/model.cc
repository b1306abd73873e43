#include "runtime/model.h"

#include "kernels/gemm/gemm.h"

namespace mc {

void pack_gemm(PackedGemm* g, uint32_t n, uint32_t k, const float* w_kn, const float* bias) {
  g->n = n;
  g->k = k;
  g->packed.assign(gemm_packed_size(n, k), 0.f);
  pack_gemm_weights(n, k, w_kn, bias, g->packed.data());
}

}  // namespace mc
