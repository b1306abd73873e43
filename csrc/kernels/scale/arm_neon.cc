// NEON scale: per pixel, 16 channels per step, then 4, then a scalar tail (no over-read or
// over-write). Element-wise, so y == x is fine.
#include <arm_neon.h>

#include "kernels/scale/scale.h"

namespace mc {

void f32_scale_c16__neon(size_t pixels, size_t channels, const float* x, const float* s,
                         float* y) {
  const size_t C = channels;
  for (size_t p = 0; p < pixels; ++p, x += C, y += C) {
    size_t c = 0;
    for (; c + 16 <= C; c += 16) {
      float32x4_t v[4];
      for (size_t q = 0; q < 4; ++q) {
        v[q] = vmulq_f32(vld1q_f32(x + c + 4 * q), vld1q_f32(s + c + 4 * q));
      }
      for (size_t q = 0; q < 4; ++q) vst1q_f32(y + c + 4 * q, v[q]);
    }
    for (; c + 4 <= C; c += 4) vst1q_f32(y + c, vmulq_f32(vld1q_f32(x + c), vld1q_f32(s + c)));
    for (; c < C; ++c) y[c] = x[c] * s[c];
  }
}

}  // namespace mc
