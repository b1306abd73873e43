// AVX2 qgemm without VNNI: vpmaddubsw would saturate (two u8 x s8 products exceed int16), so
// the weights are sign-extended to int16 (vpmovsxbw, 4 columns x 4 k per ymm) and multiplied
// with the zero-extended, broadcast 4 bytes of A by vpmaddwd (exact int32 pair sums). Each
// column keeps two partial sums until the end (hadd + lane permute). Tile 2x16: 8 accumulators
// + 4 weight registers + 2 A registers of the 16 ymm.
#include <immintrin.h>

#include "kernels/qgemm/impl.h"
#include "kernels/simd/avx2_vec.h"

namespace mc {
namespace {

struct Avx2Dot {
  struct Acc {
    __m256i v[4];  // v[q]: columns 4q..4q+3, two partial sums each
  };
  struct W {
    __m256i v[4];
  };
  using Av = __m256i;
  static void zero(Acc& acc) {
    for (auto& x : acc.v) x = _mm256_setzero_si256();
  }
  static W load_w(const int8_t* w) {
    W r;
    for (size_t q = 0; q < 4; ++q) {
      r.v[q] = _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(w + 16 * q)));
    }
    return r;
  }
  static Av load_a(const uint8_t* a) {
    int32_t x;
    std::memcpy(&x, a, 4);
    const __m128i a16 = _mm_cvtepu8_epi16(_mm_cvtsi32_si128(x));  // 4 x int16
    return _mm256_broadcastq_epi64(a16);
  }
  static void dot(Acc& acc, Av a, const W& w) {
    for (size_t q = 0; q < 4; ++q) {
      acc.v[q] = _mm256_add_epi32(acc.v[q], _mm256_madd_epi16(w.v[q], a));
    }
  }
  static void reduce(const Acc& acc, const int32_t* colsum, int32_t zp, int32_t* out) {
    // hadd(q0, q1) = [c0 c1 c4 c5 | c2 c3 c6 c7]; the 64-bit permute restores column order.
    const __m256i z = _mm256_set1_epi32(zp);
    for (size_t h = 0; h < 2; ++h) {
      const __m256i s = _mm256_hadd_epi32(acc.v[2 * h], acc.v[2 * h + 1]);
      const __m256i cs = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(colsum + 8 * h));
      _mm256_storeu_si256(reinterpret_cast<__m256i*>(out + 8 * h),
                          _mm256_sub_epi32(_mm256_permute4x64_epi64(s, 0xD8),
                                           _mm256_mullo_epi32(z, cs)));
    }
  }
};

}  // namespace

void qd8_f32_qc8w_gemm_2x16c4__avx2_fma3(size_t m, size_t n, size_t k, const uint8_t* a,
                                         size_t a_stride, const QuantParams* qa,
                                         const void* packed_w, float* c, size_t c_stride,
                                         const float* residual, size_t r_stride, Act act) {
  qgemm_impl::run<Avx2Dot, avx2::Vec, 2>(m, n, k, a, a_stride, qa, packed_w, c, c_stride,
                                         residual, r_stride, act);
}

}  // namespace mc
