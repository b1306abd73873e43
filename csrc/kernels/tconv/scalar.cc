// Portable fallback: per pixel, contiguous channel loops (vectorizable by the compiler) in the
// order of the definition, with bias, activation (template constant) and channel sum fused.
#include <algorithm>

#include "base/bf16.h"
#include "kernels/simd/op_helpers.h"
#include "kernels/simd/scalar_act.h"
#include "kernels/tconv/tconv.h"

namespace mc {
namespace {

template <Act A, class E>
void run(size_t pixels, size_t C, size_t kt, const E* const* past, const float* cur,
         E* cur_out, const float* w, const float* bias, float* out, float* channel_sum) {
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  for (size_t p = 0; p < pixels; ++p) {
    float* __restrict o = out + p * C;
    for (size_t c = 0; c < C; ++c) o[c] = bias[c];
    for (size_t t = 0; t + 1 < kt; ++t) {
      const E* __restrict x = past[t] + p * C;
      const float* __restrict wt = w + t * C;
      for (size_t c = 0; c < C; ++c) o[c] += wt[c] * widen(x[c]);
    }
    const float* __restrict x = cur + p * C;
    const float* __restrict wc = w + (kt - 1) * C;
    for (size_t c = 0; c < C; ++c) o[c] += wc[c] * x[c];
    if (cur_out != nullptr) {
      E* __restrict h = cur_out + p * C;
      for (size_t c = 0; c < C; ++c) narrow(x[c], h + c);
    }
    for (size_t c = 0; c < C; ++c) o[c] = scalar::act<A>(o[c]);
    if (channel_sum != nullptr) {
      for (size_t c = 0; c < C; ++c) channel_sum[c] += o[c];
    }
  }
}

template <class E>
void dispatch(size_t pixels, size_t channels, size_t kt, const E* const* past, const float* cur,
              E* cur_out, const float* w, const float* bias, float* out, Act act,
              float* channel_sum) {
  op_helpers::with_act(act, [&](auto a) {
    run<decltype(a)::value>(pixels, channels, kt, past, cur, cur_out, w, bias, out,
                            channel_sum);
  });
}

}  // namespace

void f32_tconv_p1c1__scalar(size_t pixels, size_t channels, size_t kt, const float* const* past,
                            const float* cur, float* cur_out, const float* w, const float* bias,
                            float* out, Act act, float* channel_sum) {
  dispatch(pixels, channels, kt, past, cur, cur_out, w, bias, out, act, channel_sum);
}

void f32_bf16ring_tconv_p1c1__scalar(size_t pixels, size_t channels, size_t kt,
                                     const uint16_t* const* past, const float* cur,
                                     uint16_t* cur_out, const float* w, const float* bias,
                                     float* out, Act act, float* channel_sum) {
  dispatch(pixels, channels, kt, past, cur, cur_out, w, bias, out, act, channel_sum);
}

}  // namespace mc
