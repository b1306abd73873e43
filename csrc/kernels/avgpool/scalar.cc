// Portable fallback: per output pixel the valid window and its divisor are computed once; taps
// are contiguous channel loops (vectorizable by the compiler).
#include <algorithm>

#include "kernels/avgpool/avgpool.h"

namespace mc {

void f32_avgpool_c1__scalar(const AvgPoolParams* p, const float* in, float* out) {
  const long H = p->in_h, W = p->in_w, kh = p->kh, kw = p->kw, S = p->stride;
  const size_t C = p->channels;
  for (long oy = p->oy_begin; oy < long(p->oy_end); ++oy) {
    const long iy0 = oy * S - long(p->pad_top);
    const long i_lo = std::max(0L, -iy0), i_hi = std::min(kh, H - iy0);
    for (long ox = 0; ox < long(p->out_w); ++ox) {
      const long ix0 = ox * S - long(p->pad_left);
      const long j_lo = std::max(0L, -ix0), j_hi = std::min(kw, W - ix0);
      float* __restrict o = out + size_t(oy * long(p->out_w) + ox) * C;
      for (size_t c = 0; c < C; ++c) o[c] = 0.f;
      const long count = std::max(0L, i_hi - i_lo) * std::max(0L, j_hi - j_lo);
      if (count == 0) continue;
      for (long i = i_lo; i < i_hi; ++i) {
        const float* __restrict x = in + size_t((iy0 + i) * W + ix0 + j_lo) * C;
        for (long j = j_lo; j < j_hi; ++j, x += C) {
          for (size_t c = 0; c < C; ++c) o[c] += x[c];
        }
      }
      const float inv = 1.f / float(count);
      for (size_t c = 0; c < C; ++c) o[c] *= inv;
    }
  }
}

}  // namespace mc
