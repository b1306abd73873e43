// Activations in forms the compiler can auto-vectorize (std::min/std::max instead of
// fmin/fmax), for scalar.cc epilogues; A is a template constant so the switch folds away.
// Same formulas as act_scalar (base/activation.h); only NaN propagation may differ.
#pragma once

#include <algorithm>

#include "base/activation.h"

namespace mc {
namespace scalar {

template <Act A>
inline float act(float v) {
  switch (A) {
    case Act::kIdentity:
      return v;
    case Act::kRelu:
      return v > 0.f ? v : 0.f;
    case Act::kRelu6:
      return std::min(std::max(v, 0.f), 6.f);
    case Act::kHardSwish:
      return v * std::min(std::max(v + 3.f, 0.f), 6.f) * (1.f / 6.f);
    case Act::kHardSigmoid:
      return std::min(std::max(v + 3.f, 0.f), 6.f) * kHardSigmoidScale;
    case Act::kHardSigmoidKeras:
      return std::min(std::max(0.2f * v + 0.5f, 0.f), 1.f);
    default:
      return act_scalar(A, v);
  }
}

}  // namespace scalar
}  // namespace mc
