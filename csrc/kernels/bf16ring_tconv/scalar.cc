// Portable fallback: per pixel, contiguous channel loops (vectorizable by the compiler) in the
// order of the definition, with bias, activation (template constant) and channel sum fused.
#include <algorithm>

#include "base/bf16.h"
#include "kernels/bf16ring_tconv/bf16ring_tconv.h"
#include "kernels/simd/op_helpers.h"
#include "kernels/simd/scalar_act.h"

namespace mc {
namespace {

template <Act A>
void run(size_t pixels, size_t C, size_t kt, const uint16_t* const* past, const float* cur,
         uint16_t* cur_out, const float* w, const float* bias, float* out, float* channel_sum) {
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  for (size_t p = 0; p < pixels; ++p) {
    float* __restrict o = out + p * C;
    for (size_t c = 0; c < C; ++c) o[c] = bias[c];
    for (size_t t = 0; t + 1 < kt; ++t) {
      const uint16_t* __restrict x = past[t] + p * C;
      const float* __restrict wt = w + t * C;
      for (size_t c = 0; c < C; ++c) o[c] += wt[c] * from_bf16(x[c]);
    }
    const float* __restrict x = cur + p * C;
    const float* __restrict wc = w + (kt - 1) * C;
    uint16_t* __restrict h = cur_out + p * C;
    for (size_t c = 0; c < C; ++c) {
      o[c] += wc[c] * x[c];
      h[c] = to_bf16(x[c]);
    }
    for (size_t c = 0; c < C; ++c) o[c] = scalar::act<A>(o[c]);
    if (channel_sum != nullptr) {
      for (size_t c = 0; c < C; ++c) channel_sum[c] += o[c];
    }
  }
}

}  // namespace

void f32_bf16ring_tconv_p1c1__scalar(size_t pixels, size_t channels, size_t kt,
                                     const uint16_t* const* past, const float* cur,
                                     uint16_t* cur_out, const float* w, const float* bias,
                                     float* out, Act act, float* channel_sum) {
  op_helpers::with_act(act, [&](auto a) {
    run<decltype(a)::value>(pixels, channels, kt, past, cur, cur_out, w, bias, out,
                            channel_sum);
  });
}

}  // namespace mc
