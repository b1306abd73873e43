// AVX2/FMA vector traits for op templates shared between ISA files (kernels/<op>/impl.h).
// Include ONLY from x86_avx2_fma3.cc files (internal linkage, like avx2_math.h).
#pragma once

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "kernels/simd/avx2_math.h"

namespace mc {
namespace avx2 {
namespace {

struct Vec {
  using V = __m256;
  static constexpr size_t kWidth = 8;
  // A partial vector of n (1..7) lanes: masked loads/stores, never touching lanes >= n.
  struct Tail {
    __m256i mask;
    size_t n;
  };
  static Tail tail(size_t n) { return {tail_mask(n), n}; }
  static V zero() { return _mm256_setzero_ps(); }
  static V set1(float x) { return _mm256_set1_ps(x); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load_tail(const float* p, const Tail& t) { return _mm256_maskload_ps(p, t.mask); }
  static void store(float* p, V v) { _mm256_storeu_ps(p, v); }
  static void store_tail(float* p, V v, const Tail& t) { _mm256_maskstore_ps(p, t.mask, v); }
  static V bcast(const float* p) { return _mm256_broadcast_ss(p); }
  static V fma(V a, V b, V acc) { return _mm256_fmadd_ps(a, b, acc); }  // a*b + acc
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  // 8 bfloat16 <-> float32 by the rule of base/bf16.h (vpmovzxwd + vpslld; vpackusdw).
  static V load_bf16(const uint16_t* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
  static void store_bf16(uint16_t* p, V v) {
    const __m256i u = _mm256_castps_si256(v);
    const __m256i odd = _mm256_and_si256(_mm256_srli_epi32(u, 16), _mm256_set1_epi32(1));
    const __m256i r = _mm256_srli_epi32(
        _mm256_add_epi32(u, _mm256_add_epi32(odd, _mm256_set1_epi32(0x7FFF))), 16);
    // packus works per 128-bit lane: keep quadwords 0 and 2 (lanes 0-3, then 4-7)
    const __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi32(r, r), 0x08);
    _mm_storeu_si128(reinterpret_cast<__m128i*>(p), _mm256_castsi256_si128(packed));
  }
  // Tails (n < 8 lanes) through a stack buffer: no 16-bit masked moves in AVX2.
  static V load_bf16_tail(const uint16_t* p, const Tail& t) {
    alignas(16) uint16_t buf[8] = {};
    for (size_t i = 0; i < t.n; ++i) buf[i] = p[i];
    return load_bf16(buf);
  }
  static void store_bf16_tail(uint16_t* p, V v, const Tail& t) {
    alignas(16) uint16_t buf[8];
    store_bf16(buf, v);
    for (size_t i = 0; i < t.n; ++i) p[i] = buf[i];
  }
  template <Act A>
  static V act(V v) {
    return act_ps(A, v);
  }
};

}  // namespace
}  // namespace avx2
}  // namespace mc
