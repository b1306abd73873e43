// Activation functions shared by every kernel epilogue. Formulas follow the official MoViNet
// code: hard_swish = x*relu6(x+3)/6, hard_sigmoid = relu6(x+3)*0.16667 (literal constant),
// hard_sigmoid_keras = clip(0.2x+0.5, 0, 1) (the Keras built-in used by the 2021 code).
#pragma once

#include <cmath>
#include <cstdint>

namespace mc {

enum class Act : uint8_t {
  kIdentity = 0,
  kRelu,
  kRelu6,
  kHardSwish,
  kSwish,
  kSigmoid,
  kHardSigmoid,
  kHardSigmoidKeras,
  kCount,
};

inline constexpr const char* kActNames[] = {
    "identity", "relu", "relu6", "hard_swish", "swish", "sigmoid", "hard_sigmoid",
    "hard_sigmoid_keras",
};
static_assert(sizeof(kActNames) / sizeof(kActNames[0]) == size_t(Act::kCount),
              "kActNames must name every Act");

inline constexpr float kHardSigmoidScale = 0.16667f;

// Scalar definition: the ground truth every SIMD variant is tested against.
inline float act_scalar(Act act, float x) {
  switch (act) {
    case Act::kIdentity:
      return x;
    case Act::kRelu:
      return x > 0.f ? x : 0.f;
    case Act::kRelu6:
      return std::fmin(std::fmax(x, 0.f), 6.f);
    case Act::kHardSwish:
      return x * std::fmin(std::fmax(x + 3.f, 0.f), 6.f) * (1.f / 6.f);
    case Act::kSwish:
      return x / (1.f + std::exp(-x));
    case Act::kSigmoid:
      return 1.f / (1.f + std::exp(-x));
    case Act::kHardSigmoid:
      return std::fmin(std::fmax(x + 3.f, 0.f), 6.f) * kHardSigmoidScale;
    case Act::kHardSigmoidKeras:
      return std::fmin(std::fmax(0.2f * x + 0.5f, 0.f), 1.f);
    default:
      return x;
  }
}

}  // namespace mc
