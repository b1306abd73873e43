// AVX-512 quantize: 16 floats per step, masked tail load and byte store (vpmovusdb).
#include <immintrin.h>

#include "kernels/quantize/impl.h"
#include "kernels/quantize/x86_reduce.h"

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
  static V sub(V a, V b) { return _mm512_sub_ps(a, b); }
  static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
  // By halves (GCC 12's _mm512_reduce_min_ps trips -Wmaybe-uninitialized in its header).
  static float hmin(V v) {
    return quantize_x86::hmin8(
        _mm256_min_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
  }
  static float hmax(V v) {
    return quantize_x86::hmax8(
        _mm256_max_ps(_mm512_castps512_ps256(v), _mm512_extractf32x8_ps(v, 1)));
  }
  static void store_u8(uint8_t* dst, V v, size_t n) {
    _mm512_mask_cvtusepi32_storeu_epi8(dst, mask(n), _mm512_cvtps_epi32(v));
  }
};

}  // namespace

void qd8_quantize_rows_u16__avx512(size_t m, size_t k, const float* x, size_t x_stride,
                                   const float* col_scale, uint8_t* q, size_t q_stride,
                                   const QuantParams* fixed, QuantParams* params) {
  quantize_impl::run<Avx512Q>(m, k, x, x_stride, col_scale, q, q_stride, fixed, params);
}

}  // namespace mc
