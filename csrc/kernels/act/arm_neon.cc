// NEON activation: 8 floats per step, scalar tail (no over-read).
#include <arm_neon.h>

#include "kernels/act/act.h"
#include "kernels/simd/neon_math.h"

namespace mc {
namespace {

template <Act A>
void run(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    const float32x4_t a = neon::act_ps(A, vld1q_f32(x + i));
    const float32x4_t b = neon::act_ps(A, vld1q_f32(x + i + 4));
    vst1q_f32(y + i, a);
    vst1q_f32(y + i + 4, b);
  }
  if (i < n) {
    float buf[8] = {0};
    const size_t rem = n - i;
    for (size_t j = 0; j < rem; ++j) buf[j] = x[i + j];
    vst1q_f32(buf, neon::act_ps(A, vld1q_f32(buf)));
    vst1q_f32(buf + 4, neon::act_ps(A, vld1q_f32(buf + 4)));
    for (size_t j = 0; j < rem; ++j) y[i + j] = buf[j];
  }
}

}  // namespace

void f32_act_u8__neon(size_t n, const float* x, float* y, Act act) {
  switch (act) {
    case Act::kIdentity: return run<Act::kIdentity>(n, x, y);
    case Act::kRelu: return run<Act::kRelu>(n, x, y);
    case Act::kRelu6: return run<Act::kRelu6>(n, x, y);
    case Act::kHardSwish: return run<Act::kHardSwish>(n, x, y);
    case Act::kSwish: return run<Act::kSwish>(n, x, y);
    case Act::kSigmoid: return run<Act::kSigmoid>(n, x, y);
    case Act::kHardSigmoid: return run<Act::kHardSigmoid>(n, x, y);
    case Act::kHardSigmoidKeras: return run<Act::kHardSigmoidKeras>(n, x, y);
    default: return run<Act::kIdentity>(n, x, y);
  }
}

}  // namespace mc
