// AVX-512 VNNI qgemm: one vpdpbusd per row and 4 k multiplies all 16 columns of a panel (u8 A
// broadcast x s8 weights, exact int32 sums, no saturation). Tile 8x32 (two panels): 16 zmm
// accumulators, so each k group issues 10 loads (2 weight + 8 broadcast) for 16 vpdpbusd
// (8x16 needed 9 for 8: load-bound on Zen 5).
// The epilogue uses the 16-lane AVX-512 float traits: one vector per row of a panel.
#include <immintrin.h>

#include "kernels/qgemm/impl.h"
#include "kernels/simd/avx512_vec.h"

namespace mc {
namespace {

struct Avx512VnniDot {
  using Acc = __m512i;
  using W = __m512i;
  using Av = __m512i;
  static void zero(Acc& acc) { acc = _mm512_setzero_si512(); }
  static W load_w(const int8_t* w) { return _mm512_loadu_si512(w); }
  static Av load_a(const uint8_t* a) {
    int32_t x;
    std::memcpy(&x, a, 4);
    return _mm512_set1_epi32(x);
  }
  // GCC 12 gives the intrinsic's accumulator only zmm0-15 (the AVX-VNNI alternative of its
  // pattern), so the tile's 16 accumulators were copied in and out of every vpdpbusd; the asm
  // lets them live in zmm16-31 (Zen 5 bench_qgemm, 784x512x512: 714 -> 982 GOP/s).
  static void dot(Acc& acc, Av a, W w) {
    Acc t = acc;
    asm("vpdpbusd %2, %1, %0" : "+v"(t) : "v"(a), "v"(w));
    acc = t;
  }
  static void reduce(const Acc& acc, const int32_t* colsum, int32_t zp, int32_t* out) {
    const __m512i zc = _mm512_mullo_epi32(_mm512_set1_epi32(zp), _mm512_loadu_si512(colsum));
    _mm512_storeu_si512(out, _mm512_sub_epi32(acc, zc));
  }
};

}  // namespace

void qd8_f32_qc8w_gemm_8x32c4__avx512vnni(size_t m, size_t n, size_t k, const uint8_t* a,
                                          size_t a_stride, const QuantParams* qa,
                                          const void* packed_w, float* c, size_t c_stride,
                                          const float* residual, size_t r_stride, Act act) {
  qgemm_impl::run<Avx512VnniDot, avx512::Vec, 8, 2>(m, n, k, a, a_stride, qa, packed_w, c, c_stride,
                                               residual, r_stride, act);
}

}  // namespace mc
