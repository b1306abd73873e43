// NEON activation: 8 floats per step, scalar tail (no over-read).
#include <arm_neon.h>

#include "kernels/act/act.h"
#include "kernels/simd/op_helpers.h"
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
  op_helpers::with_act(act, [&](auto a) { run<decltype(a)::value>(n, x, y); });
}

}  // namespace mc
