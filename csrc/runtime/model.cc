#include "runtime/model.h"

#include "kernels/gemm/gemm.h"

namespace mc {

void pack_gemm(PackedGemm* g, uint32_t n, uint32_t k, const float* w_kn, const float* bias) {
  g->n = n;
  g->k = k;
  g->packed.assign(gemm_packed_size(n, k), 0.f);
  pack_gemm_weights(n, k, w_kn, bias, g->packed.data());
}

void pack_qgemm(PackedGemm* g, uint32_t n, uint32_t k, const int8_t* w_kn, const float* scale,
                const float* bias, const QuantParams* static_input) {
  g->n = n;
  g->k = k;
  g->packed.clear();
  g->qpacked.assign(qgemm_packed_bytes(n, k), 0);
  pack_qgemm_weights(n, k, w_kn, scale, bias, g->qpacked.data());
  g->static_input = static_input != nullptr;
  if (static_input != nullptr) g->input = *static_input;
}

}  // namespace mc
