#include "runtime/model.h"

#include <cstdlib>
#include <stdexcept>
#include <string>

#include "kernels/bf16w_gemm/bf16w_gemm.h"
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

void pack_bf16w(PackedGemm* g, uint32_t n, uint32_t k, const float* w_kn, const float* bias) {
  g->n = n;
  g->k = k;
  g->packed.clear();
  g->bpacked.assign(bf16w_packed_elems(n, k), 0);
  pack_bf16w_weights(n, k, w_kn, bias, g->bpacked.data());
}

void pack_qgemm_as_float(PackedGemm* g, uint32_t n, uint32_t k, const int8_t* w_kn,
                         const float* scale, const float* bias) {
  std::vector<float> w(size_t(n) * k);
  for (size_t p = 0; p < k; ++p) {
    for (size_t j = 0; j < n; ++j) w[p * n + j] = float(w_kn[p * n + j]) * scale[j];
  }
  pack_gemm(g, n, k, w.data(), bias);
}

bool use_int8_kernels(Int8Gemm mode, uint64_t isa) {
  if (mode == Int8Gemm::kAuto) return (isa & kIsaInt8Extensions) != 0;
  return mode == Int8Gemm::kInt8;
}

Int8Gemm int8_gemm_from_env() {
  const char* env = std::getenv("MOVICORE_INT8_GEMM");
  if (env == nullptr || *env == '\0' || std::string(env) == "auto") return Int8Gemm::kAuto;
  if (std::string(env) == "int8") return Int8Gemm::kInt8;
  if (std::string(env) == "float") return Int8Gemm::kFloat;
  throw std::invalid_argument("MOVICORE_INT8_GEMM must be auto, int8 or float; got '" +
                              std::string(env) + "'");
}

}  // namespace mc
