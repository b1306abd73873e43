// NEON vector traits for op templates shared between ISA files (kernels/<op>/impl.h).
// Include ONLY from arm_neon.cc files (internal linkage, like neon_math.h).
#pragma once

#include <arm_neon.h>

#include <cstddef>

#include "kernels/simd/neon_math.h"

namespace mc {
namespace neon {
namespace {

struct Vec {
  using V = float32x4_t;
  static constexpr size_t kWidth = 4;
  // A partial vector of n (1..3) lanes, moved through a stack buffer (no over-read/write).
  struct Tail {
    size_t n;
  };
  static Tail tail(size_t n) { return {n}; }
  static V zero() { return vdupq_n_f32(0.f); }
  static V set1(float x) { return vdupq_n_f32(x); }
  static V load(const float* p) { return vld1q_f32(p); }
  static V load_tail(const float* p, const Tail& t) {
    float buf[4] = {0.f, 0.f, 0.f, 0.f};
    for (size_t i = 0; i < t.n; ++i) buf[i] = p[i];
    return vld1q_f32(buf);
  }
  static void store(float* p, V v) { vst1q_f32(p, v); }
  static void store_tail(float* p, V v, const Tail& t) {
    float buf[4];
    vst1q_f32(buf, v);
    for (size_t i = 0; i < t.n; ++i) p[i] = buf[i];
  }
  static V bcast(const float* p) { return vld1q_dup_f32(p); }
  static V fma(V a, V b, V acc) { return vfmaq_f32(acc, a, b); }  // a*b + acc
  static V add(V a, V b) { return vaddq_f32(a, b); }
  static V mul(V a, V b) { return vmulq_f32(a, b); }
  template <Act A>
  static V act(V v) {
    return act_ps(A, v);
  }
};

}  // namespace
}  // namespace neon
}  // namespace mc
