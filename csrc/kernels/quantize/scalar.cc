// Portable fallback: the reference steps with independent min/max partials over 8 lanes (a
// chain the baseline vectoriser can map onto SSE2 / AdvSIMD registers) and a branch-free
// conversion loop.
#include "kernels/quantize/quantize.h"

namespace mc {

void qd8_quantize_rows__scalar(size_t m, size_t k, const float* x, size_t x_stride, uint8_t* q,
                               size_t q_stride, const QuantParams* fixed, QuantParams* params) {
  constexpr size_t kLanes = 8;
  const size_t kc = qgemm_round_k(k);
  for (size_t i = 0; i < m; ++i) {
    const float* xi = x + i * x_stride;
    float lo[kLanes], hi[kLanes];
    for (size_t l = 0; l < kLanes; ++l) lo[l] = hi[l] = xi[0];
    size_t j = fixed != nullptr ? k : 0;  // static: no range pass
    for (; j + kLanes <= k; j += kLanes) {
      for (size_t l = 0; l < kLanes; ++l) {
        lo[l] = lo[l] < xi[j + l] ? lo[l] : xi[j + l];
        hi[l] = hi[l] > xi[j + l] ? hi[l] : xi[j + l];
      }
    }
    for (; j < k && fixed == nullptr; ++j) {
      lo[0] = std::min(lo[0], xi[j]);
      hi[0] = std::max(hi[0], xi[j]);
    }
    for (size_t l = 1; l < kLanes; ++l) {
      lo[0] = std::min(lo[0], lo[l]);
      hi[0] = std::max(hi[0], hi[l]);
    }
    float inv;
    params[i] = row_params(fixed, lo[0], hi[0], &inv);
    const float zp = float(params[i].zero_point);
    uint8_t* qi = q + i * q_stride;
    for (j = 0; j < k; ++j) {
      float v = xi[j] * inv + zp;
      v = v > 0.f ? v : 0.f;
      v = v < 255.f ? v : 255.f;
      qi[j] = uint8_t(int32_t((v + kRoundMagic) - kRoundMagic));
    }
    for (; j < kc; ++j) qi[j] = 0;
  }
}

}  // namespace mc
