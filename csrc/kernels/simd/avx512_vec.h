// AVX-512 vector traits for op templates shared between ISA files (kernels/<op>/impl.h).
// Include ONLY from x86_avx512.cc files (internal linkage, like avx512_math.h).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/simd/avx512_math.h"

namespace mc {
namespace avx512 {
namespace {

struct Vec {
  using V = __m512;
  static constexpr size_t kWidth = 16;
  // A partial vector of n (1..15) lanes: opmask loads/stores, never touching lanes >= n.
  struct Tail {
    __mmask16 mask;
    size_t n;
  };
  static Tail tail(size_t n) { return {tail_mask(n), n}; }
  static V zero() { return _mm512_setzero_ps(); }
  static V set1(float x) { return _mm512_set1_ps(x); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load_tail(const float* p, const Tail& t) { return _mm512_maskz_loadu_ps(t.mask, p); }
  static void store(float* p, V v) { _mm512_storeu_ps(p, v); }
  static void store_tail(float* p, V v, const Tail& t) { _mm512_mask_storeu_ps(p, t.mask, v); }
  static V bcast(const float* p) { return _mm512_set1_ps(*p); }
  static V fma(V a, V b, V acc) { return _mm512_fmadd_ps(a, b, acc); }  // a*b + acc
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  // 16 bfloat16 <-> float32 by the rule of base/bf16.h (vpmovzxwd + vpslld; vpmovdw).
  static V from_bf16(__m256i h) {
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
  static __m256i to_bf16(V v) {
    const __m512i u = _mm512_castps_si512(v);
    const __m512i odd = _mm512_and_si512(_mm512_srli_epi32(u, 16), _mm512_set1_epi32(1));
    const __m512i r = _mm512_add_epi32(u, _mm512_add_epi32(odd, _mm512_set1_epi32(0x7FFF)));
    return _mm512_cvtepi32_epi16(_mm512_srli_epi32(r, 16));
  }
  static V load_bf16(const uint16_t* p) {
    return from_bf16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)));
  }
  static void store_bf16(uint16_t* p, V v) {
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(p), to_bf16(v));
  }
  static V load_bf16_tail(const uint16_t* p, const Tail& t) {
    return from_bf16(_mm256_maskz_loadu_epi16(t.mask, p));
  }
  static void store_bf16_tail(uint16_t* p, V v, const Tail& t) {
    _mm256_mask_storeu_epi16(p, t.mask, to_bf16(v));
  }
  template <Act A>
  static V act(V v) {
    return act_ps(A, v);
  }
};

}  // namespace
}  // namespace avx512
}  // namespace mc
