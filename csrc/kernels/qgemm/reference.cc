// Plain loops over the definition, reading the packed layout element by element: the ground
// truth for every qgemm variant (integer part exact; epilogue in the order qgemm.h fixes).
#include <cstring>

#include "kernels/qgemm/qgemm.h"

namespace mc {

void qd8_f32_qc8w_gemm__reference(size_t m, size_t n, size_t k, const uint8_t* a,
                                  size_t a_stride, const QuantParams* qa, const void* packed_w,
                                  float* c, size_t c_stride, const float* residual,
                                  size_t r_stride, Act act) {
  const uint8_t* base = static_cast<const uint8_t*>(packed_w);
  for (size_t j = 0; j < n; ++j) {
    const uint8_t* panel = base + (j / kQGemmNR) * qgemm_panel_bytes(k);
    const size_t jj = j % kQGemmNR;
    float sw, bias;
    std::memcpy(&sw, panel + (kQGemmNR + jj) * sizeof(float), sizeof sw);
    std::memcpy(&bias, panel + (2 * kQGemmNR + jj) * sizeof(float), sizeof bias);
    const int8_t* w = reinterpret_cast<const int8_t*>(panel + 3 * kQGemmNR * sizeof(float));
    for (size_t i = 0; i < m; ++i) {
      int64_t acc = 0;  // int64: the int32 bound of the contract is checked by the tests
      for (size_t p = 0; p < k; ++p) {
        const int32_t wv = w[(p / kQGemmKR) * kQGemmNR * kQGemmKR + jj * kQGemmKR + p % kQGemmKR];
        acc += (int32_t(a[i * a_stride + p]) - qa[i].zero_point) * wv;
      }
      float v = float(int32_t(acc)) * qa[i].scale;
      v = v * sw;
      v = v + bias;
      v = act_scalar(act, v);
      if (residual != nullptr) v += residual[i * r_stride + j];
      c[i * c_stride + j] = v;
    }
  }
}

}  // namespace mc
