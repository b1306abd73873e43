// AVX2 scale: per pixel, 32 channels per step, then 8, then a masked tail (no over-read or
// over-write). Element-wise, so y == x is fine.
#include <immintrin.h>

#include "kernels/scale/scale.h"
#include "kernels/simd/avx2_math.h"

namespace mc {

void f32_scale_c32__avx2_fma3(size_t pixels, size_t channels, const float* x, const float* s,
                              float* y) {
  const size_t C = channels;
  const size_t tail = C % 8;
  const __m256i mask = avx2::tail_mask(tail);
  for (size_t p = 0; p < pixels; ++p, x += C, y += C) {
    size_t c = 0;
    for (; c + 32 <= C; c += 32) {
      const __m256 v0 = _mm256_mul_ps(_mm256_loadu_ps(x + c), _mm256_loadu_ps(s + c));
      const __m256 v1 = _mm256_mul_ps(_mm256_loadu_ps(x + c + 8), _mm256_loadu_ps(s + c + 8));
      const __m256 v2 = _mm256_mul_ps(_mm256_loadu_ps(x + c + 16), _mm256_loadu_ps(s + c + 16));
      const __m256 v3 = _mm256_mul_ps(_mm256_loadu_ps(x + c + 24), _mm256_loadu_ps(s + c + 24));
      _mm256_storeu_ps(y + c, v0);
      _mm256_storeu_ps(y + c + 8, v1);
      _mm256_storeu_ps(y + c + 16, v2);
      _mm256_storeu_ps(y + c + 24, v3);
    }
    for (; c + 8 <= C; c += 8) {
      _mm256_storeu_ps(y + c, _mm256_mul_ps(_mm256_loadu_ps(x + c), _mm256_loadu_ps(s + c)));
    }
    if (tail != 0) {
      const __m256 v =
          _mm256_mul_ps(_mm256_maskload_ps(x + c, mask), _mm256_maskload_ps(s + c, mask));
      _mm256_maskstore_ps(y + c, mask, v);
    }
  }
}

}  // namespace mc
