// Portable fallback: per pixel, contiguous channel loops (vectorizable by the compiler) with
// bias, activation (template constant) and channel sum fused.
#include <algorithm>

#include "kernels/tconv/tconv.h"
#include "kernels/simd/scalar_act.h"

namespace mc {
namespace {

template <Act A>
void run(size_t pixels, size_t C, size_t kt, const float* const* frames, const float* w,
         const float* bias, float* out, float* channel_sum) {
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  for (size_t p = 0; p < pixels; ++p) {
    float* __restrict o = out + p * C;
    {
      const float* __restrict x = frames[0] + p * C;
      for (size_t c = 0; c < C; ++c) o[c] = bias[c] + w[c] * x[c];
    }
    for (size_t t = 1; t < kt; ++t) {
      const float* __restrict x = frames[t] + p * C;
      const float* __restrict wt = w + t * C;
      for (size_t c = 0; c < C; ++c) o[c] += wt[c] * x[c];
    }
    if (channel_sum != nullptr) {
      float* __restrict s = channel_sum;
      for (size_t c = 0; c < C; ++c) {
        const float y = scalar::act<A>(o[c]);
        o[c] = y;
        s[c] += y;
      }
    } else if (A != Act::kIdentity) {
      for (size_t c = 0; c < C; ++c) o[c] = scalar::act<A>(o[c]);
    }
  }
}

}  // namespace

void f32_tconv_p1c1__scalar(size_t pixels, size_t channels, size_t kt, const float* const* frames,
                            const float* w, const float* bias, float* out, Act act,
                            float* channel_sum) {
  if (kt == 0) {  // degenerate: out = act(bias)
    f32_tconv__reference(pixels, channels, 0, frames, w, bias, out, act, channel_sum);
    return;
  }
#define MC_CASE(a) \
  case a: return run<a>(pixels, channels, kt, frames, w, bias, out, channel_sum);
  switch (act) {
    MC_CASE(Act::kIdentity)
    MC_CASE(Act::kRelu)
    MC_CASE(Act::kRelu6)
    MC_CASE(Act::kHardSwish)
    MC_CASE(Act::kSwish)
    MC_CASE(Act::kSigmoid)
    MC_CASE(Act::kHardSigmoid)
    MC_CASE(Act::kHardSigmoidKeras)
    default: return run<Act::kIdentity>(pixels, channels, kt, frames, w, bias, out, channel_sum);
  }
#undef MC_CASE
}

}  // namespace mc
