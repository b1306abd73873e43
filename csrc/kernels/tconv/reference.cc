// Plain loops over the definition in tconv.h: the ground truth for every tconv variant.
#include "kernels/tconv/tconv.h"

namespace mc {

void f32_tconv__reference(size_t pixels, size_t channels, size_t kt, const float* const* frames,
                          const float* w, const float* bias, float* out, Act act,
                          float* channel_sum) {
  if (channel_sum != nullptr) {
    for (size_t c = 0; c < channels; ++c) channel_sum[c] = 0.f;
  }
  for (size_t p = 0; p < pixels; ++p) {
    for (size_t c = 0; c < channels; ++c) {
      float acc = bias[c];
      for (size_t t = 0; t < kt; ++t) acc += w[t * channels + c] * frames[t][p * channels + c];
      const float y = act_scalar(act, acc);
      out[p * channels + c] = y;
      if (channel_sum != nullptr) channel_sum[c] += y;
    }
  }
}

}  // namespace mc
