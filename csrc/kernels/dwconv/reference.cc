// Plain loops over the definition in dwconv.h: the ground truth for every dwconv variant.
#include "kernels/dwconv/dwconv.h"

namespace mc {

void f32_dwconv__reference(const DwConvParams* p, const float* const* frames, const float* w,
                           const float* bias, float* out, float* channel_sum) {
  const long H = p->in_h, W = p->in_w, C = p->channels;
  if (channel_sum != nullptr) {
    for (long c = 0; c < C; ++c) channel_sum[c] = 0.f;
  }
  for (long oy = p->oy_begin; oy < long(p->oy_end); ++oy) {
    for (long ox = 0; ox < long(p->out_w); ++ox) {
      for (long c = 0; c < C; ++c) {
        float acc = bias[c];
        for (long t = 0; t < long(p->kt); ++t) {
          if (frames[t] == nullptr) continue;
          for (long i = 0; i < long(p->kh); ++i) {
            for (long j = 0; j < long(p->kw); ++j) {
              const long iy = oy * long(p->stride) + i - long(p->pad_top);
              const long ix = ox * long(p->stride) + j - long(p->pad_left);
              if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
              acc += w[((t * p->kh + i) * p->kw + j) * C + c] * frames[t][(iy * W + ix) * C + c];
            }
          }
        }
        const float y = act_scalar(p->act, acc);
        out[(oy * long(p->out_w) + ox) * C + c] = y;
        if (channel_sum != nullptr) channel_sum[c] += y;
      }
    }
  }
}

}  // namespace mc
