// NEON vector math for kernel epilogues. Include ONLY from arm_neon.cc files (internal linkage).
#pragma once

#include <arm_neon.h>

#include "base/activation.h"

namespace mc {
namespace neon {
namespace {

inline float32x4_t exp_ps(float32x4_t x) {
  x = vminq_f32(vmaxq_f32(x, vdupq_n_f32(-87.0f)), vdupq_n_f32(88.0f));
  const float32x4_t n = vrndnq_f32(vmulq_n_f32(x, 1.44269504088896341f));
  float32x4_t r = vfmsq_f32(x, n, vdupq_n_f32(0.693145751953125f));
  r = vfmsq_f32(r, n, vdupq_n_f32(1.428606765330187e-06f));
  float32x4_t p = vdupq_n_f32(1.f / 720.f);
  p = vfmaq_f32(vdupq_n_f32(1.f / 120.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f / 24.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f / 6.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(0.5f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  p = vfmaq_f32(vdupq_n_f32(1.f), p, r);
  const int32x4_t e = vshlq_n_s32(vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127)), 23);
  return vmulq_f32(p, vreinterpretq_f32_s32(e));
}

inline float32x4_t sigmoid_ps(float32x4_t x) {
  const float32x4_t one = vdupq_n_f32(1.f);
  return vdivq_f32(one, vaddq_f32(one, exp_ps(vnegq_f32(x))));
}

inline float32x4_t clamp_ps(float32x4_t v, float lo, float hi) {
  return vminq_f32(vmaxq_f32(v, vdupq_n_f32(lo)), vdupq_n_f32(hi));
}

inline float32x4_t act_ps(Act act, float32x4_t v) {
  switch (act) {
    case Act::kIdentity:
      return v;
    case Act::kRelu:
      return vmaxq_f32(v, vdupq_n_f32(0.f));
    case Act::kRelu6:
      return clamp_ps(v, 0.f, 6.f);
    case Act::kHardSwish:
      return vmulq_n_f32(vmulq_f32(v, clamp_ps(vaddq_f32(v, vdupq_n_f32(3.f)), 0.f, 6.f)),
                         1.f / 6.f);
    case Act::kSwish:
      return vmulq_f32(v, sigmoid_ps(v));
    case Act::kSigmoid:
      return sigmoid_ps(v);
    case Act::kHardSigmoid:
      return vmulq_n_f32(clamp_ps(vaddq_f32(v, vdupq_n_f32(3.f)), 0.f, 6.f), kHardSigmoidScale);
    case Act::kHardSigmoidKeras:
      return clamp_ps(vfmaq_f32(vdupq_n_f32(0.5f), v, vdupq_n_f32(0.2f)), 0.f, 1.f);
    default:
      return v;
  }
}

}  // namespace
}  // namespace neon
}  // namespace mc
