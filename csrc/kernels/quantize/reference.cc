// The definition of quantize.h, one element at a time: ground truth for every variant.
#include "kernels/quantize/quantize.h"

namespace mc {

void qd8_quantize_rows__reference(size_t m, size_t k, const float* x, size_t x_stride,
                                  const float* col_scale, uint8_t* q, size_t q_stride,
                                  const QuantParams* fixed, QuantParams* params) {
  const size_t kc = qgemm_round_k(k);
  for (size_t i = 0; i < m; ++i) {
    const float* row = x + i * x_stride;
    auto xi = [&](size_t j) { return col_scale ? row[j] * col_scale[j] : row[j]; };
    float lo = xi(0), hi = xi(0);
    for (size_t j = 1; j < k; ++j) {
      lo = std::min(lo, xi(j));
      hi = std::max(hi, xi(j));
    }
    float inv;
    params[i] = row_params(fixed, lo, hi, &inv);
    const float zp = float(params[i].zero_point);
    uint8_t* qi = q + i * q_stride;
    for (size_t j = 0; j < k; ++j) {
      float v = xi(j) * inv + zp;
      v = std::min(std::max(v, 0.f), 255.f);
      qi[j] = uint8_t(int32_t((v + kRoundMagic) - kRoundMagic));
    }
    for (size_t j = k; j < kc; ++j) qi[j] = 0;
  }
}

}  // namespace mc
