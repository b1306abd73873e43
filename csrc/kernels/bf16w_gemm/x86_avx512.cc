// AVX-512 bf16w_gemm: 16 bf16 weights widened by vpmovzxwd + vpslld 16 (exact), one FMA each.
#include <immintrin.h>

#include "kernels/bf16w_gemm/impl.h"
#include "kernels/simd/avx512_vec.h"

namespace mc {
namespace {

struct Avx512Bf16 : avx512::Vec {
  static V load_bf16(const uint16_t* p) {
    const __m256i h = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_cvtepu16_epi32(h), 16));
  }
};

}  // namespace

void f32_bf16w_gemm_4x16__avx512(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                 const uint16_t* packed_w, float* c, size_t c_stride, Act act) {
  bf16w_impl::run<Avx512Bf16, 4>(m, n, k, a, a_stride, packed_w, c, c_stride, act);
}

}  // namespace mc
