// AVX2/FMA vector traits for op templates shared between ISA files (kernels/<op>/impl.h).
// Include ONLY from x86_avx2_fma3.cc files (internal linkage, like avx2_math.h).
#pragma once

#include <immintrin.h>

#include <cstddef>

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
  template <Act A>
  static V act(V v) {
    return act_ps(A, v);
  }
};

}  // namespace
}  // namespace avx2
}  // namespace mc
