// Portable fallback: the activation switch is hoisted out of the loop.
#include <algorithm>
#include <cmath>

#include "kernels/act/act.h"

namespace mc {
namespace {

template <typename F>
inline void apply(size_t n, const float* x, float* y, F f) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const float a = x[i], b = x[i + 1], c = x[i + 2], d = x[i + 3];
    y[i] = f(a);
    y[i + 1] = f(b);
    y[i + 2] = f(c);
    y[i + 3] = f(d);
  }
  for (; i < n; ++i) y[i] = f(x[i]);
}

}  // namespace

void f32_act_u4__scalar(size_t n, const float* x, float* y, Act act) {
  switch (act) {
    case Act::kIdentity:
      if (x != y) std::copy(x, x + n, y);
      return;
    case Act::kRelu:
      return apply(n, x, y, [](float v) { return v > 0.f ? v : 0.f; });
    case Act::kHardSwish:
      return apply(n, x, y, [](float v) {
        return v * std::min(std::max(v + 3.f, 0.f), 6.f) * (1.f / 6.f);
      });
    case Act::kHardSigmoid:
      return apply(n, x, y, [](float v) {
        return std::min(std::max(v + 3.f, 0.f), 6.f) * kHardSigmoidScale;
      });
    default:
      return apply(n, x, y, [act](float v) { return act_scalar(act, v); });
  }
}

}  // namespace mc
