// AVX2/FMA vector math for kernel epilogues. Include ONLY from x86_avx2_fma3.cc files: every
// function has internal linkage so code built with -mavx2 never leaks into baseline code.
#pragma once

#include <immintrin.h>

#include "base/activation.h"

namespace mc {
namespace avx2 {
namespace {

// exp(x) for x in float range: n = round(x*log2e), r = x - n*ln2 (two-step), degree-6
// polynomial, scaled by 2^n through the exponent bits. Max rel. error ~2 ulp.
inline __m256 exp_ps(__m256 x) {
  x = _mm256_min_ps(_mm256_max_ps(x, _mm256_set1_ps(-87.0f)), _mm256_set1_ps(88.0f));
  const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                   _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693145751953125f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(1.428606765330187e-06f), r);
  __m256 p = _mm256_set1_ps(1.f / 720.f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 120.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 24.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f / 6.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(0.5f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.f));
  const __m256i e = _mm256_slli_epi32(_mm256_add_epi32(_mm256_cvtps_epi32(n),
                                                       _mm256_set1_epi32(127)), 23);
  return _mm256_mul_ps(p, _mm256_castsi256_ps(e));
}

inline __m256 sigmoid_ps(__m256 x) {
  const __m256 one = _mm256_set1_ps(1.f);
  return _mm256_div_ps(one, _mm256_add_ps(one, exp_ps(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

inline __m256 clamp_ps(__m256 v, float lo, float hi) {
  return _mm256_min_ps(_mm256_max_ps(v, _mm256_set1_ps(lo)), _mm256_set1_ps(hi));
}

// act(v); the switch folds away when the caller's act is a compile-time constant.
inline __m256 act_ps(Act act, __m256 v) {
  switch (act) {
    case Act::kIdentity:
      return v;
    case Act::kRelu:
      return _mm256_max_ps(v, _mm256_setzero_ps());
    case Act::kRelu6:
      return clamp_ps(v, 0.f, 6.f);
    case Act::kHardSwish:
      return _mm256_mul_ps(
          _mm256_mul_ps(v, clamp_ps(_mm256_add_ps(v, _mm256_set1_ps(3.f)), 0.f, 6.f)),
          _mm256_set1_ps(1.f / 6.f));
    case Act::kSwish:
      return _mm256_mul_ps(v, sigmoid_ps(v));
    case Act::kSigmoid:
      return sigmoid_ps(v);
    case Act::kHardSigmoid:
      return _mm256_mul_ps(clamp_ps(_mm256_add_ps(v, _mm256_set1_ps(3.f)), 0.f, 6.f),
                           _mm256_set1_ps(kHardSigmoidScale));
    case Act::kHardSigmoidKeras:
      return clamp_ps(_mm256_fmadd_ps(v, _mm256_set1_ps(0.2f), _mm256_set1_ps(0.5f)), 0.f, 1.f);
    default:
      return v;
  }
}

// Mask with the first n (0..8) lanes set, for tail loads/stores without over-read.
inline __m256i tail_mask(size_t n) {
  static const int32_t kMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1, 0, 0, 0, 0, 0, 0, 0, 0};
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kMask + 8 - n));
}

}  // namespace
}  // namespace avx2
}  // namespace mc
