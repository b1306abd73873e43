// NEON vector traits for op templates shared between ISA files (kernels/<op>/impl.h).
// Include ONLY from arm_neon.cc files (internal linkage, like neon_math.h).
#pragma once

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

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
  // 4 bfloat16 <-> float32 by the rule of base/bf16.h (ushll #16; shrn #16).
  static V load_bf16(const uint16_t* p) {
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
  }
  static void store_bf16(uint16_t* p, V v) {
    const uint32x4_t u = vreinterpretq_u32_f32(v);
    const uint32x4_t odd = vandq_u32(vshrq_n_u32(u, 16), vdupq_n_u32(1));
    vst1_u16(p, vshrn_n_u32(vaddq_u32(u, vaddq_u32(odd, vdupq_n_u32(0x7FFF))), 16));
  }
  static V load_bf16_tail(const uint16_t* p, const Tail& t) {
    uint16_t buf[4] = {0, 0, 0, 0};
    for (size_t i = 0; i < t.n; ++i) buf[i] = p[i];
    return load_bf16(buf);
  }
  static void store_bf16_tail(uint16_t* p, V v, const Tail& t) {
    uint16_t buf[4];
    store_bf16(buf, v);
    for (size_t i = 0; i < t.n; ++i) p[i] = buf[i];
  }
  template <Act A>
  static V act(V v) {
    return act_ps(A, v);
  }
};

}  // namespace
}  // namespace neon
}  // namespace mc
