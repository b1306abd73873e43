// AVX2 rowsum: blocks of 32 channels (4 ymm) with two pixel-parity accumulator sets (8 adds
// in flight), then blocks of 8 with four parities, then a masked tail (no over-read).
#include <immintrin.h>

#include "kernels/rowsum/rowsum.h"
#include "kernels/simd/avx2_math.h"

namespace mc {

void f32_rowsum_c32__avx2_fma3(size_t pixels, size_t channels, const float* x, float* sum) {
  const size_t C = channels;
  size_t c0 = 0;
  for (; c0 + 32 <= C; c0 += 32) {
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    __m256 b0 = a0, b1 = a0, b2 = a0, b3 = a0;
    const float* xp = x + c0;
    size_t p = 0;
    for (; p + 2 <= pixels; p += 2, xp += 2 * C) {
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(xp));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(xp + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(xp + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(xp + 24));
      b0 = _mm256_add_ps(b0, _mm256_loadu_ps(xp + C));
      b1 = _mm256_add_ps(b1, _mm256_loadu_ps(xp + C + 8));
      b2 = _mm256_add_ps(b2, _mm256_loadu_ps(xp + C + 16));
      b3 = _mm256_add_ps(b3, _mm256_loadu_ps(xp + C + 24));
    }
    if (p < pixels) {
      a0 = _mm256_add_ps(a0, _mm256_loadu_ps(xp));
      a1 = _mm256_add_ps(a1, _mm256_loadu_ps(xp + 8));
      a2 = _mm256_add_ps(a2, _mm256_loadu_ps(xp + 16));
      a3 = _mm256_add_ps(a3, _mm256_loadu_ps(xp + 24));
    }
    _mm256_storeu_ps(sum + c0, _mm256_add_ps(a0, b0));
    _mm256_storeu_ps(sum + c0 + 8, _mm256_add_ps(a1, b1));
    _mm256_storeu_ps(sum + c0 + 16, _mm256_add_ps(a2, b2));
    _mm256_storeu_ps(sum + c0 + 24, _mm256_add_ps(a3, b3));
  }
  for (; c0 < C; c0 += 8) {
    const size_t nc = C - c0 < 8 ? C - c0 : 8;
    const __m256i mask = avx2::tail_mask(nc);
    __m256 a0 = _mm256_setzero_ps(), a1 = a0, a2 = a0, a3 = a0;
    const float* xp = x + c0;
    size_t p = 0;
    if (nc == 8) {
      for (; p + 4 <= pixels; p += 4, xp += 4 * C) {
        a0 = _mm256_add_ps(a0, _mm256_loadu_ps(xp));
        a1 = _mm256_add_ps(a1, _mm256_loadu_ps(xp + C));
        a2 = _mm256_add_ps(a2, _mm256_loadu_ps(xp + 2 * C));
        a3 = _mm256_add_ps(a3, _mm256_loadu_ps(xp + 3 * C));
      }
    } else {
      for (; p + 4 <= pixels; p += 4, xp += 4 * C) {
        a0 = _mm256_add_ps(a0, _mm256_maskload_ps(xp, mask));
        a1 = _mm256_add_ps(a1, _mm256_maskload_ps(xp + C, mask));
        a2 = _mm256_add_ps(a2, _mm256_maskload_ps(xp + 2 * C, mask));
        a3 = _mm256_add_ps(a3, _mm256_maskload_ps(xp + 3 * C, mask));
      }
    }
    for (; p < pixels; ++p, xp += C) a0 = _mm256_add_ps(a0, _mm256_maskload_ps(xp, mask));
    const __m256 s = _mm256_add_ps(_mm256_add_ps(a0, a1), _mm256_add_ps(a2, a3));
    _mm256_maskstore_ps(sum + c0, mask, s);
  }
}

}  // namespace mc
