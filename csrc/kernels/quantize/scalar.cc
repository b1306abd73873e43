// Portable fallback: the reference steps with independent min/max partials over 8 lanes (a
// chain the baseline vectoriser can map onto SSE2 / AdvSIMD registers) and a branch-free
// conversion loop.
#include "kernels/quantize/quantize.h"

namespace mc {

namespace {

template <bool SCALED>
void rows(size_t m, size_t k, const float* x, size_t x_stride, const float* g, uint8_t* q,
          size_t q_stride, const QuantParams* fixed, QuantParams* params) {
  constexpr size_t kLanes = 8;
  const size_t kc = qgemm_round_k(k);
  auto at = [&](const float* xi, size_t j) { return SCALED ? xi[j] * g[j] : xi[j]; };
  for (size_t i = 0; i < m; ++i) {
    const float* xi = x + i * x_stride;
    float lo[kLanes], hi[kLanes];
    for (size_t l = 0; l < kLanes; ++l) lo[l] = hi[l] = at(xi, 0);
    size_t j = fixed != nullptr ? k : 0;  // static: no range pass
    for (; j + kLanes <= k; j += kLanes) {
      for (size_t l = 0; l < kLanes; ++l) {
        const float v = at(xi, j + l);
        lo[l] = lo[l] < v ? lo[l] : v;
        hi[l] = hi[l] > v ? hi[l] : v;
      }
    }
    for (; j < k && fixed == nullptr; ++j) {
      lo[0] = std::min(lo[0], at(xi, j));
      hi[0] = std::max(hi[0], at(xi, j));
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
      float v = at(xi, j) * inv + zp;
      v = v > 0.f ? v : 0.f;
      v = v < 255.f ? v : 255.f;
      qi[j] = uint8_t(int32_t((v + kRoundMagic) - kRoundMagic));
    }
    for (; j < kc; ++j) qi[j] = 0;
  }
}

}  // namespace

void qd8_quantize_rows__scalar(size_t m, size_t k, const float* x, size_t x_stride,
                               const float* col_scale, uint8_t* q, size_t q_stride,
                               const QuantParams* fixed, QuantParams* params) {
  if (col_scale != nullptr) {
    rows<true>(m, k, x, x_stride, col_scale, q, q_stride, fixed, params);
  } else {
    rows<false>(m, k, x, x_stride, nullptr, q, q_stride, fixed, params);
  }
}

}  // namespace mc
