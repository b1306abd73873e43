// NEON rowsum: blocks of 16 channels (4 q registers) with two pixel-parity accumulator sets,
// then blocks of 4 with four parities, then a scalar channel tail (no over-read).
#include <arm_neon.h>

#include "kernels/rowsum/rowsum.h"

namespace mc {

void f32_rowsum_c16__neon(size_t pixels, size_t channels, const float* x, float* sum) {
  const size_t C = channels;
  size_t c0 = 0;
  for (; c0 + 16 <= C; c0 += 16) {
    float32x4_t a[4], b[4];
    for (size_t q = 0; q < 4; ++q) a[q] = b[q] = vdupq_n_f32(0.f);
    const float* xp = x + c0;
    size_t p = 0;
    for (; p + 2 <= pixels; p += 2, xp += 2 * C) {
      for (size_t q = 0; q < 4; ++q) {
        a[q] = vaddq_f32(a[q], vld1q_f32(xp + 4 * q));
        b[q] = vaddq_f32(b[q], vld1q_f32(xp + C + 4 * q));
      }
    }
    if (p < pixels) {
      for (size_t q = 0; q < 4; ++q) a[q] = vaddq_f32(a[q], vld1q_f32(xp + 4 * q));
    }
    for (size_t q = 0; q < 4; ++q) vst1q_f32(sum + c0 + 4 * q, vaddq_f32(a[q], b[q]));
  }
  for (; c0 + 4 <= C; c0 += 4) {
    float32x4_t a0 = vdupq_n_f32(0.f), a1 = a0, a2 = a0, a3 = a0;
    const float* xp = x + c0;
    size_t p = 0;
    for (; p + 4 <= pixels; p += 4, xp += 4 * C) {
      a0 = vaddq_f32(a0, vld1q_f32(xp));
      a1 = vaddq_f32(a1, vld1q_f32(xp + C));
      a2 = vaddq_f32(a2, vld1q_f32(xp + 2 * C));
      a3 = vaddq_f32(a3, vld1q_f32(xp + 3 * C));
    }
    for (; p < pixels; ++p, xp += C) a0 = vaddq_f32(a0, vld1q_f32(xp));
    vst1q_f32(sum + c0, vaddq_f32(vaddq_f32(a0, a1), vaddq_f32(a2, a3)));
  }
  for (; c0 < C; ++c0) {
    float acc = 0.f;
    for (size_t p = 0; p < pixels; ++p) acc += x[p * C + c0];
    sum[c0] = acc;
  }
}

}  // namespace mc
