// Where output row/column o of a bilinear resize n_in -> n_out reads from, with TF's
// half-pixel rule: x = (o + 0.5) * (n_in / n_out) - 0.5 in float32, lo = floor(x) and
// hi = ceil(x) clamped to the image, weight x - floor(x). Equal sizes: the identity (TF skips
// the resize). Shared by the resize and yuv_resize ops.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace mc {

struct BilinearTap {
  int32_t lo, hi;
  float w;     // weight of hi
  bool valid;  // false: outside the resized image (zero padding)
};

inline BilinearTap bilinear_tap(int32_t o, int32_t n_in, int32_t n_out) {
  if (o < 0 || o >= n_out) return {0, 0, 0.f, false};
  if (n_in == n_out) return {o, o, 0.f, true};
  const float scale = static_cast<float>(n_in) / static_cast<float>(n_out);
  const float x = (static_cast<float>(o) + 0.5f) * scale - 0.5f;
  const float f = std::floor(x);
  const int32_t lo = std::clamp(static_cast<int32_t>(f), 0, n_in - 1);
  const int32_t hi = std::clamp(static_cast<int32_t>(std::ceil(x)), 0, n_in - 1);
  return {lo, hi, x - f, true};
}

// TF's compute_lerp, then the cast to uint8 (truncation; the value is in [0, 255]).
inline uint8_t bilinear_u8(float tl, float tr, float bl, float br, float wx, float wy) {
  const float top = tl + (tr - tl) * wx;
  const float bottom = bl + (br - bl) * wx;
  return static_cast<uint8_t>(top + (bottom - top) * wy);
}

}  // namespace mc
