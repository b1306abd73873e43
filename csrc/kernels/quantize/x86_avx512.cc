// AVX-512 quantize: 16 floats per step, masked tail load, narrowed to bytes in a register.
#include <immintrin.h>

#include "kernels/quantize/impl.h"

namespace mc {
namespace {

struct Avx512Q {
  using V = __m512;
  using Mask = __mmask16;
  static constexpr size_t kWidth = 16;
  static Mask mask(size_t n) { return __mmask16((1u << n) - 1u); }
  static V load(const float* p) { return _mm512_loadu_ps(p); }
  static V load(const float* p, Mask m) { return _mm512_maskz_loadu_ps(m, p); }
  static V set1(float v) { return _mm512_set1_ps(v); }
  static V min(V a, V b) { return _mm512_min_ps(a, b); }
  static V max(V a, V b) { return _mm512_max_ps(a, b); }
  static V add(V a, V b) { return _mm512_add_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  // By halves (GCC 12's _mm512_reduce_min_ps trips -Wmaybe-uninitialized in its header).
  static float hmin(V v) {
    const __m256 h = _mm256_min_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 x = _mm_min_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    x = _mm_min_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_min_ss(x, _mm_movehdup_ps(x)));
  }
  static float hmax(V v) {
    const __m256 h = _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1));
    __m128 x = _mm_max_ps(_mm256_castps256_ps128(h), _mm256_extractf128_ps(h, 1));
    x = _mm_max_ps(x, _mm_movehl_ps(x, x));
    return _mm_cvtss_f32(_mm_max_ss(x, _mm_movehdup_ps(x)));
  }
  static void store_u8(uint8_t* dst, V v, size_t n) {
    const V magic = _mm512_set1_ps(kRoundMagic);
    v = _mm512_min_ps(_mm512_max_ps(v, _mm512_setzero_ps()), _mm512_set1_ps(255.f));
    const __m512i i32 = _mm512_cvtps_epi32(_mm512_sub_ps(_mm512_add_ps(v, magic), magic));
    // Narrow in a register, then store: vpmovusdb with a memory operand is microcoded on Zen 4
    // and Zen 5 (it made this kernel 3x slower).
    const __m128i u8 = _mm512_cvtusepi32_epi8(i32);
    if (n == kWidth) {
      _mm_storeu_si128(reinterpret_cast<__m128i*>(dst), u8);
    } else {
      _mm_mask_storeu_epi8(dst, mask(n), u8);
    }
  }
};

}  // namespace

void qd8_quantize_rows_u16__avx512(size_t m, size_t k, const float* x, size_t x_stride,
                                   uint8_t* q, size_t q_stride, const QuantParams* fixed,
                                   QuantParams* params) {
  quantize_impl::run<Avx512Q>(m, k, x, x_stride, q, q_stride, fixed, params);
}

}  // namespace mc
