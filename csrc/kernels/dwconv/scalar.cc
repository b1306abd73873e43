// Portable fallback: per output pixel, the valid tap window is computed once (no per-tap bounds
// checks) and every tap is a contiguous channel loop the compiler can vectorize; bias, the
// activation (a template constant) and the channel sum are fused into one pass.
#include <algorithm>

#include "kernels/dwconv/dwconv.h"
#include "kernels/simd/scalar_act.h"

namespace mc {
namespace {

template <Act A>
void run(const DwConvParams& p, const float* const* frames, const float* w, const float* bias,
         float* out, float* channel_sum) {
  const long H = p.in_h, W = p.in_w, kh = p.kh, kw = p.kw, S = p.stride;
  const size_t C = p.channels;
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  for (long oy = p.oy_begin; oy < long(p.oy_end); ++oy) {
    const long iy0 = oy * S - long(p.pad_top);
    const long i_lo = std::max(0L, -iy0), i_hi = std::min(kh, H - iy0);
    for (long ox = 0; ox < long(p.out_w); ++ox) {
      const long ix0 = ox * S - long(p.pad_left);
      const long j_lo = std::max(0L, -ix0), j_hi = std::min(kw, W - ix0);
      float* __restrict o = out + size_t(oy * long(p.out_w) + ox) * C;
      for (size_t c = 0; c < C; ++c) o[c] = bias[c];
      for (long t = 0; t < long(p.kt); ++t) {
        if (frames[t] == nullptr) continue;
        for (long i = i_lo; i < i_hi; ++i) {
          const float* __restrict x = frames[t] + size_t((iy0 + i) * W + ix0 + j_lo) * C;
          const float* __restrict wr = w + size_t((t * kh + i) * kw + j_lo) * C;
          for (long j = j_lo; j < j_hi; ++j, x += C, wr += C) {
            for (size_t c = 0; c < C; ++c) o[c] += wr[c] * x[c];
          }
        }
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
}

}  // namespace

void f32_dwconv_p1c1__scalar(const DwConvParams* p, const float* const* frames, const float* w,
                             const float* bias, float* out, float* channel_sum) {
  switch (p->act) {
    case Act::kIdentity: return run<Act::kIdentity>(*p, frames, w, bias, out, channel_sum);
    case Act::kRelu: return run<Act::kRelu>(*p, frames, w, bias, out, channel_sum);
    case Act::kRelu6: return run<Act::kRelu6>(*p, frames, w, bias, out, channel_sum);
    case Act::kHardSwish: return run<Act::kHardSwish>(*p, frames, w, bias, out, channel_sum);
    case Act::kSwish: return run<Act::kSwish>(*p, frames, w, bias, out, channel_sum);
    case Act::kSigmoid: return run<Act::kSigmoid>(*p, frames, w, bias, out, channel_sum);
    case Act::kHardSigmoid: return run<Act::kHardSigmoid>(*p, frames, w, bias, out, channel_sum);
    case Act::kHardSigmoidKeras:
      return run<Act::kHardSigmoidKeras>(*p, frames, w, bias, out, channel_sum);
    default: return run<Act::kIdentity>(*p, frames, w, bias, out, channel_sum);
  }
}

}  // namespace mc
