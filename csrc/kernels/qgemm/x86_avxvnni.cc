// AVX-VNNI (VEX-encoded vpdpbusd, 256-bit; Alder Lake, Zen 5) qgemm: two ymm per 16 panel
// columns. Tile 4x16: 8 accumulators + 2 weight registers.
#include <immintrin.h>

#include "kernels/qgemm/impl.h"
#include "kernels/simd/avx2_vec.h"

namespace mc {
namespace {

struct AvxVnniDot {
  struct Acc {
    __m256i lo, hi;
  };
  struct W {
    __m256i lo, hi;
  };
  using Av = __m256i;
  static void zero(Acc& acc) { acc.lo = acc.hi = _mm256_setzero_si256(); }
  static W load_w(const int8_t* w) {
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(w)),
            _mm256_loadu_si256(reinterpret_cast<const __m256i*>(w + 32))};
  }
  static Av load_a(const uint8_t* a) {
    int32_t x;
    std::memcpy(&x, a, 4);
    return _mm256_set1_epi32(x);
  }
  static void dot(Acc& acc, Av a, const W& w) {
    acc.lo = _mm256_dpbusd_avx_epi32(acc.lo, a, w.lo);
    acc.hi = _mm256_dpbusd_avx_epi32(acc.hi, a, w.hi);
  }
  static void reduce(const Acc& acc, const int32_t* colsum, int32_t zp, int32_t* out) {
    const __m256i z = _mm256_set1_epi32(zp);
    const __m256i* cs = reinterpret_cast<const __m256i*>(colsum);
    const __m256i lo = _mm256_sub_epi32(acc.lo, _mm256_mullo_epi32(z, _mm256_loadu_si256(cs)));
    const __m256i hi = _mm256_sub_epi32(acc.hi, _mm256_mullo_epi32(z, _mm256_loadu_si256(cs + 1)));
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out), lo);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8), hi);
  }
};

}  // namespace

void qd8_f32_qc8w_gemm_4x16c4__avxvnni(size_t m, size_t n, size_t k, const uint8_t* a,
                                       size_t a_stride, const QuantParams* qa,
                                       const void* packed_w, float* c, size_t c_stride,
                                       const float* residual, size_t r_stride, Act act) {
  qgemm_impl::run<AvxVnniDot, avx2::Vec, 4>(m, n, k, a, a_stride, qa, packed_w, c, c_stride,
                                            residual, r_stride, act);
}

}  // namespace mc
