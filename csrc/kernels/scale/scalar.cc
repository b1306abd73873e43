// Portable fallback: per pixel, blocks of 16 channels (constant trip count, vectorised at
// baseline), then the channel tail. Element-wise, so y == x is fine.
#include "kernels/scale/scale.h"

namespace mc {

void f32_scale_c16__scalar(size_t pixels, size_t channels, const float* x, const float* s,
                           float* y) {
  constexpr size_t kC = 16;
  for (size_t p = 0; p < pixels; ++p, x += channels, y += channels) {
    size_t c = 0;
    for (; c + kC <= channels; c += kC) {
      float t[kC];
      for (size_t j = 0; j < kC; ++j) t[j] = x[c + j] * s[c + j];
      for (size_t j = 0; j < kC; ++j) y[c + j] = t[j];
    }
    for (; c < channels; ++c) y[c] = x[c] * s[c];
  }
}

}  // namespace mc
