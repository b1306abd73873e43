// Whole-clip execution of non-causal (base) models: layer by layer over all frames, since the
// base SE gate and symmetric temporal padding look at future frames. Memory grows with the clip
// length here by necessity; stream models never take this path.
#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "runtime/engine.h"

namespace mc {

void Engine::run_clip(const void* frames, bool is_uint8, size_t t, float* logits) {
  const Model& m = *model_;
  if (m.config.causal) {
    reset();
    step(frames, is_uint8, t, false, logits);
    return;
  }
  // Non-causal engines are single-stream (checked at construction).
  size_t act = act_a_.size(), ex = expand_.size(), feat = feature_.size();
  size_t max_e = max_e_;
  std::vector<float> xs(t * act), ys(t * act), es(t * ex), ss, ds(t * feat), cs(t * max_e);
  std::vector<float> zero(std::max(ex, feat), 0.f);
  if (m.config.split_2plus1d) ss.assign(t * feat, 0.f);

  for (size_t f = 0; f < t; ++f) {
    stem(load_frame(frames, is_uint8, f, frame_.data()), xs.data() + f * act);
  }
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const LayerModel& l = m.layers[i];
    const LayerGeometry& g = geo_.layers[i];
    const size_t in_px = size_t(g.in_h) * g.in_w, out_px = size_t(g.out_h) * g.out_w;
    const size_t e = l.expand;
    const int pad = int(l.kt - 1) / 2;  // symmetric SAME padding in time
    const bool se = m.config.se != SeType::kNone;
    for (size_t f = 0; f < t; ++f) {
      gemm(l.expand_w, in_px, xs.data() + f * act, es.data() + f * ex, nullptr, m.config.act);
    }
    DwConvParams p = spatial_params(i);
    auto frame_at = [&](const std::vector<float>& buf, size_t stride, long idx) -> const float* {
      return idx < 0 || idx >= long(t) ? nullptr : buf.data() + size_t(idx) * stride;
    };
    for (size_t f = 0; f < t; ++f) {
      float* csum = se ? cs.data() + f * max_e : nullptr;
      float* d = ds.data() + f * feat;
      if (m.config.split_2plus1d && l.kt > 1) {
        const float* src = es.data() + f * ex;
        dwconv(p, &src, l.feat_w.data(), l.feat_b.data(), ss.data() + f * feat, nullptr);
      } else if (m.config.split_2plus1d || l.kt == 1) {
        const float* src = es.data() + f * ex;
        dwconv(p, &src, l.feat_w.data(), l.feat_b.data(), d, csum);
      } else {
        const float* fr[8];
        for (uint32_t j = 0; j < l.kt; ++j) fr[j] = frame_at(es, ex, long(f) + long(j) - pad);
        p.kt = l.kt;
        dwconv(p, fr, l.feat_w.data(), l.feat_b.data(), d, csum);
        p.kt = 1;
      }
    }
    if (m.config.split_2plus1d && l.kt > 1) {
      for (size_t f = 0; f < t; ++f) {
        const float* fr[8];
        for (uint32_t j = 0; j < l.kt; ++j) {
          const float* src = frame_at(ss, feat, long(f) + long(j) - pad);
          fr[j] = src ? src : zero.data();
        }
        tconv(out_px, e, l.kt, fr, l.temp_w.data(), l.temp_b.data(), ds.data() + f * feat,
              m.config.act, se ? cs.data() + f * max_e : nullptr);
      }
    }
    if (se) {
      const float inv = 1.f / float(out_px);
      std::vector<float>& clip_mean = partial_;  // scratch, >= max_e floats
      std::fill(clip_mean.begin(), clip_mean.begin() + e, 0.f);
      for (size_t f = 0; f < t; ++f) {
        for (size_t c = 0; c < e; ++c) clip_mean[c] += cs[f * max_e + c] * inv;
      }
      for (size_t c = 0; c < e; ++c) clip_mean[c] /= float(t);
      if (m.config.se == SeType::k3d) {
        se_gate(i, 1, clip_mean.data(), gate_.data());
      }
      for (size_t f = 0; f < t; ++f) {
        if (m.config.se != SeType::k3d) {
          float* z = z_.data();
          const bool concat = m.config.se == SeType::k2plus3d;
          for (size_t c = 0; c < e; ++c) {
            const float s = cs[f * max_e + c] * inv;
            if (concat) {
              z[c] = clip_mean[c];
              z[e + c] = s;
            } else {
              z[c] = s;
            }
          }
          se_gate(i, 1, z, gate_.data());
        }
        float* d = ds.data() + f * feat;
        k_.scale(out_px, e, d, gate_.data(), d);
      }
    }
    for (size_t f = 0; f < t; ++f) {
      float* residual = nullptr;
      skip_path(i, 1, xs.data() + f * act, &residual);
      gemm(l.project, out_px, ds.data() + f * feat, ys.data() + f * act, residual,
           Act::kIdentity);
    }
    std::swap(xs, ys);
  }
  const size_t head_px = size_t(geo_.head_h) * geo_.head_w;
  const size_t head_c = m.head_c();
  std::vector<float> sum(head_c, 0.f);
  for (size_t f = 0; f < t; ++f) {
    gemm(m.head, head_px, xs.data() + f * act, head_.data(), nullptr, m.config.act);
    k_.rowsum(head_px, head_c, head_.data(), csum_.data());
    for (size_t c = 0; c < head_c; ++c) sum[c] += csum_[c] / float(head_px);
  }
  for (size_t c = 0; c < head_c; ++c) sum[c] /= float(t);
  classify(1, sum.data(), logits);
}

}  // namespace mc
