// Where output row/column o of a bilinear resize n_in -> n_out reads from, with TF's
// half-pixel rule: x = (o + 0.5) * (n_in / n_out) - 0.5 in float32, lo = floor(x) and
// hi = ceil(x) clamped to the image, weight x - floor(x). Equal sizes: the identity (TF skips
// the resize). Shared by the resize and yuv_resize ops.
#pragma once

#include <algorithm>
#include <cstdint>

#include "kernels/resize/resize.h"

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
  // floor/ceil without libm calls (baseline x86-64 has no rounding instruction)
  int32_t fi = static_cast<int32_t>(x);
  if (static_cast<float>(fi) > x) --fi;
  const float f = static_cast<float>(fi);
  const int32_t lo = std::clamp(fi, 0, n_in - 1);
  const int32_t hi = std::clamp(f == x ? fi : fi + 1, 0, n_in - 1);
  return {lo, hi, x - f, true};
}

// TF's compute_lerp, then the cast to uint8 (truncation; the value is in [0, 255]).
inline uint8_t bilinear_u8(float tl, float tr, float bl, float br, float wx, float wy) {
  const float top = tl + (tr - tl) * wx;
  const float bottom = bl + (br - bl) * wx;
  return static_cast<uint8_t>(top + (bottom - top) * wy);
}

// The reference kernels' loop: every output value on its own, value(row tap, column tap,
// channel) inside the resized image and 0 outside it.
template <typename Value>
void reference_region(const ResizeRegion& r, uint8_t* dst, Value value) {
  for (int32_t i = 0; i < r.rows; ++i) {
    for (int32_t j = 0; j < r.cols; ++j) {
      for (int c = 0; c < 3; ++c) {
        const BilinearTap ty = bilinear_tap(r.top + i, r.in_h, r.out_h);
        const BilinearTap tx = bilinear_tap(r.left + j, r.in_w, r.out_w);
        dst[(static_cast<ptrdiff_t>(i) * r.cols + j) * 3 + c] =
            ty.valid && tx.valid ? value(ty, tx, c) : uint8_t{0};
      }
    }
  }
}

}  // namespace mc
