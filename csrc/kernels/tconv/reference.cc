// Plain loops over the definition in tconv.h: the ground truth for every variant of both ops.
#include "base/bf16.h"
#include "kernels/tconv/tconv.h"

namespace mc {
namespace {

template <class E>
void reference(size_t pixels, size_t channels, size_t kt, const E* const* past,
               const float* cur, E* cur_out, const float* w, const float* bias, float* out,
               Act act, float* channel_sum) {
  if (channel_sum != nullptr) {
    for (size_t c = 0; c < channels; ++c) channel_sum[c] = 0.f;
  }
  for (size_t p = 0; p < pixels; ++p) {
    for (size_t c = 0; c < channels; ++c) {
      const size_t i = p * channels + c;
      float acc = bias[c];
      for (size_t t = 0; t + 1 < kt; ++t) acc += w[t * channels + c] * widen(past[t][i]);
      if (kt > 0) acc += w[(kt - 1) * channels + c] * cur[i];
      const float y = act_scalar(act, acc);
      out[i] = y;
      if (cur_out != nullptr) narrow(cur[i], cur_out + i);
      if (channel_sum != nullptr) channel_sum[c] += y;
    }
  }
}

}  // namespace

void f32_tconv__reference(size_t pixels, size_t channels, size_t kt, const float* const* past,
                          const float* cur, float* cur_out, const float* w, const float* bias,
                          float* out, Act act, float* channel_sum) {
  reference(pixels, channels, kt, past, cur, cur_out, w, bias, out, act, channel_sum);
}

void f32_bf16ring_tconv__reference(size_t pixels, size_t channels, size_t kt,
                                   const uint16_t* const* past, const float* cur,
                                   uint16_t* cur_out, const float* w, const float* bias,
                                   float* out, Act act, float* channel_sum) {
  reference(pixels, channels, kt, past, cur, cur_out, w, bias, out, act, channel_sum);
}

}  // namespace mc
