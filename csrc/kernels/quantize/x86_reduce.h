// Horizontal min / max of 8 floats, shared by the AVX2 and AVX-512 quantize files (the AVX-512
// one halves its vector first). Include only from x86 ISA files (internal linkage).
#pragma once

#include <immintrin.h>

namespace mc {
namespace {
namespace quantize_x86 {

inline float hmin8(__m256 v) {
  __m128 x = _mm_min_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_min_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_min_ss(x, _mm_movehdup_ps(x)));
}

inline float hmax8(__m256 v) {
  __m128 x = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  x = _mm_max_ps(x, _mm_movehl_ps(x, x));
  return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
}

}  // namespace quantize_x86
}  // namespace
}  // namespace mc
