// AVX2 quantize: 8 floats per step, masked tail; integral floats packed to bytes.
#include <immintrin.h>

#include <cstring>

#include "kernels/quantize/impl.h"
#include "kernels/quantize/x86_reduce.h"
#include "kernels/simd/avx2_math.h"

namespace mc {
namespace {

struct Avx2Q {
  using V = __m256;
  using Mask = __m256i;
  static constexpr size_t kWidth = 8;
  static Mask mask(size_t n) { return avx2::tail_mask(n); }
  static V load(const float* p) { return _mm256_loadu_ps(p); }
  static V load(const float* p, Mask m) { return _mm256_maskload_ps(p, m); }
  static V set1(float v) { return _mm256_set1_ps(v); }
  static V min(V a, V b) { return _mm256_min_ps(a, b); }
  static V max(V a, V b) { return _mm256_max_ps(a, b); }
  static V add(V a, V b) { return _mm256_add_ps(a, b); }
  static V sub(V a, V b) { return _mm256_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
  static float hmin(V v) { return quantize_x86::hmin8(v); }
  static float hmax(V v) { return quantize_x86::hmax8(v); }
  static void store_u8(uint8_t* dst, V v, size_t n) {
    const __m256i i32 = _mm256_cvtps_epi32(v);
    const __m128i i16 = _mm_packus_epi32(_mm256_castsi256_si128(i32),
                                         _mm256_extracti128_si256(i32, 1));
    const __m128i u8 = _mm_packus_epi16(i16, i16);
    if (n == kWidth) {
      _mm_storel_epi64(reinterpret_cast<__m128i*>(dst), u8);
    } else {
      uint8_t buf[16];
      _mm_storeu_si128(reinterpret_cast<__m128i*>(buf), u8);
      std::memcpy(dst, buf, n);
    }
  }
};

}  // namespace

void qd8_quantize_rows_u8__avx2_fma3(size_t m, size_t k, const float* x, size_t x_stride,
                                     const float* col_scale, uint8_t* q, size_t q_stride,
                                     const QuantParams* fixed, QuantParams* params) {
  quantize_impl::run<Avx2Q>(m, k, x, x_stride, col_scale, q, q_stride, fixed, params);
}

}  // namespace mc
