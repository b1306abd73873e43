// Plain loops over the definition in conv2d.h: the ground truth for every conv2d variant.
#include "kernels/conv2d/conv2d.h"

namespace mc {

void f32_conv2d__reference(const Conv2dParams* p, const float* in, const float* w,
                           const float* bias, float* out) {
  const long H = p->in_h, W = p->in_w, IC = p->in_c, OC = p->out_c;
  for (long oy = p->oy_begin; oy < long(p->oy_end); ++oy) {
    for (long ox = 0; ox < long(p->out_w); ++ox) {
      for (long o = 0; o < OC; ++o) {
        float acc = bias[o];
        for (long i = 0; i < long(p->kh); ++i) {
          for (long j = 0; j < long(p->kw); ++j) {
            const long iy = oy * long(p->stride) + i - long(p->pad_top);
            const long ix = ox * long(p->stride) + j - long(p->pad_left);
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            for (long c = 0; c < IC; ++c) {
              acc += w[((i * p->kw + j) * IC + c) * OC + o] * in[(iy * W + ix) * IC + c];
            }
          }
        }
        out[(oy * long(p->out_w) + ox) * OC + o] = act_scalar(p->act, acc);
      }
    }
  }
}

}  // namespace mc
