// Portable fallback: per output pixel, the valid window is computed once; each (tap, input
// channel) adds x * w[tap][c][:] to a contiguous out-channel row (vectorizable by the compiler).
#include <algorithm>

#include "kernels/conv2d/conv2d.h"
#include "kernels/simd/scalar_act.h"

namespace mc {
namespace {

template <Act A>
void run(const Conv2dParams& p, const float* in, const float* w, const float* bias, float* out) {
  const long H = p.in_h, W = p.in_w, kh = p.kh, kw = p.kw, S = p.stride;
  const size_t IC = p.in_c, OC = p.out_c;
  for (long oy = p.oy_begin; oy < long(p.oy_end); ++oy) {
    const long iy0 = oy * S - long(p.pad_top);
    const long i_lo = std::max(0L, -iy0), i_hi = std::min(kh, H - iy0);
    for (long ox = 0; ox < long(p.out_w); ++ox) {
      const long ix0 = ox * S - long(p.pad_left);
      const long j_lo = std::max(0L, -ix0), j_hi = std::min(kw, W - ix0);
      float* __restrict o = out + size_t(oy * long(p.out_w) + ox) * OC;
      for (size_t k = 0; k < OC; ++k) o[k] = bias[k];
      for (long i = i_lo; i < i_hi; ++i) {
        // taps (j, c) of one window row are contiguous in both input and weights
        const float* __restrict x = in + size_t((iy0 + i) * W + ix0 + j_lo) * IC;
        const float* __restrict wr = w + size_t((i * kw + j_lo) * long(IC)) * OC;
        const size_t n = size_t(j_hi - j_lo) * IC;
        for (size_t q = 0; q < n; ++q) {
          const float xv = x[q];
          const float* __restrict wq = wr + q * OC;
          for (size_t k = 0; k < OC; ++k) o[k] += xv * wq[k];
        }
      }
      if (A != Act::kIdentity) {
        for (size_t k = 0; k < OC; ++k) o[k] = scalar::act<A>(o[k]);
      }
    }
  }
}

}  // namespace

void f32_conv2d_p1c1__scalar(const Conv2dParams* p, const float* in, const float* w,
                             const float* bias, float* out) {
#define MC_CASE(a) \
  case a: return run<a>(*p, in, w, bias, out);
  switch (p->act) {
    MC_CASE(Act::kIdentity)
    MC_CASE(Act::kRelu)
    MC_CASE(Act::kRelu6)
    MC_CASE(Act::kHardSwish)
    MC_CASE(Act::kSwish)
    MC_CASE(Act::kSigmoid)
    MC_CASE(Act::kHardSigmoid)
    MC_CASE(Act::kHardSigmoidKeras)
    default: return run<Act::kIdentity>(*p, in, w, bias, out);
  }
#undef MC_CASE
}

}  // namespace mc
