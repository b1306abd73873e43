// Portable fallback: blocks of 16 channels summed over all pixels in a local accumulator array
// (constant trip count, vectorised at baseline), then the channel tail.
#include "kernels/rowsum/rowsum.h"

namespace mc {

void f32_rowsum_c16__scalar(size_t pixels, size_t channels, const float* x, float* sum) {
  constexpr size_t kC = 16;
  size_t c0 = 0;
  for (; c0 + kC <= channels; c0 += kC) {
    float acc[kC] = {0.f};
    const float* xp = x + c0;
    for (size_t p = 0; p < pixels; ++p, xp += channels) {
      for (size_t j = 0; j < kC; ++j) acc[j] += xp[j];
    }
    for (size_t j = 0; j < kC; ++j) sum[c0 + j] = acc[j];
  }
  const size_t nc = channels - c0;
  if (nc == 0) return;
  float acc[kC] = {0.f};
  const float* xp = x + c0;
  for (size_t p = 0; p < pixels; ++p, xp += channels) {
    for (size_t j = 0; j < nc; ++j) acc[j] += xp[j];
  }
  for (size_t j = 0; j < nc; ++j) sum[c0 + j] = acc[j];
}

}  // namespace mc
