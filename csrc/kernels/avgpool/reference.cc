// Plain loops over the definition in avgpool.h: the ground truth for every avgpool variant.
#include "kernels/avgpool/avgpool.h"

namespace mc {

void f32_avgpool__reference(const AvgPoolParams* p, const float* in, float* out) {
  const long H = p->in_h, W = p->in_w, C = p->channels;
  for (long oy = p->oy_begin; oy < long(p->oy_end); ++oy) {
    for (long ox = 0; ox < long(p->out_w); ++ox) {
      for (long c = 0; c < C; ++c) {
        float acc = 0.f;
        long count = 0;
        for (long i = 0; i < long(p->kh); ++i) {
          for (long j = 0; j < long(p->kw); ++j) {
            const long iy = oy * long(p->stride) + i - long(p->pad_top);
            const long ix = ox * long(p->stride) + j - long(p->pad_left);
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
            acc += in[(iy * W + ix) * C + c];
            ++count;
          }
        }
        out[(oy * long(p->out_w) + ox) * C + c] = count > 0 ? acc / float(count) : 0.f;
      }
    }
  }
}

}  // namespace mc
