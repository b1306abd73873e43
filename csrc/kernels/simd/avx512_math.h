// AVX-512 vector math for kernel epilogues. Include ONLY from x86_avx512.cc files: every
// function has internal linkage so code built with -mavx512* never leaks into baseline code.
#pragma once

#include <immintrin.h>

#include <cstddef>

#include "base/activation.h"

namespace mc {
namespace avx512 {
namespace {

// exp(x): same range reduction and degree-6 polynomial as avx2::exp_ps; the 2^n scaling is
// one vscalefps (exact, and saturates to 0 / inf by itself).
inline __m512 exp_ps(__m512 x) {
  x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-87.0f)), _mm512_set1_ps(88.0f));
  const __m512 n = _mm512_roundscale_ps(_mm512_mul_ps(x, _mm512_set1_ps(1.44269504088896341f)),
                                        _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  __m512 r = _mm512_fnmadd_ps(n, _mm512_set1_ps(0.693145751953125f), x);
  r = _mm512_fnmadd_ps(n, _mm512_set1_ps(1.428606765330187e-06f), r);
  __m512 p = _mm512_set1_ps(1.f / 720.f);
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 120.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 24.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f / 6.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(0.5f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.f));
  return _mm512_scalef_ps(p, n);
}

inline __m512 sigmoid_ps(__m512 x) {
  const __m512 one = _mm512_set1_ps(1.f);
  return _mm512_div_ps(one, _mm512_add_ps(one, exp_ps(_mm512_sub_ps(_mm512_setzero_ps(), x))));
}

inline __m512 clamp_ps(__m512 v, float lo, float hi) {
  return _mm512_min_ps(_mm512_max_ps(v, _mm512_set1_ps(lo)), _mm512_set1_ps(hi));
}

// act(v); the switch folds away when the caller's act is a compile-time constant.
inline __m512 act_ps(Act act, __m512 v) {
  switch (act) {
    case Act::kIdentity:
      return v;
    case Act::kRelu:
      return _mm512_max_ps(v, _mm512_setzero_ps());
    case Act::kRelu6:
      return clamp_ps(v, 0.f, 6.f);
    case Act::kHardSwish:
      return _mm512_mul_ps(
          _mm512_mul_ps(v, clamp_ps(_mm512_add_ps(v, _mm512_set1_ps(3.f)), 0.f, 6.f)),
          _mm512_set1_ps(1.f / 6.f));
    case Act::kSwish:
      return _mm512_mul_ps(v, sigmoid_ps(v));
    case Act::kSigmoid:
      return sigmoid_ps(v);
    case Act::kHardSigmoid:
      return _mm512_mul_ps(clamp_ps(_mm512_add_ps(v, _mm512_set1_ps(3.f)), 0.f, 6.f),
                           _mm512_set1_ps(kHardSigmoidScale));
    case Act::kHardSigmoidKeras:
      return clamp_ps(_mm512_fmadd_ps(v, _mm512_set1_ps(0.2f), _mm512_set1_ps(0.5f)), 0.f, 1.f);
    default:
      return v;
  }
}

// Opmask with the first n (0..16) lanes set: masked loads/stores never touch the other lanes
// (no fault, no write), so tails need no scalar loop.
inline __mmask16 tail_mask(size_t n) { return __mmask16((1u << n) - 1u); }

}  // namespace
}  // namespace avx512
}  // namespace mc
