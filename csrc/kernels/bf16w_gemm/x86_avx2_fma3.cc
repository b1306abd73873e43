// AVX2 bf16w_gemm: 8 bf16 weights widened by vpmovzxwd + vpslld 16 (exact), one FMA each.
#include <immintrin.h>

#include "kernels/bf16w_gemm/impl.h"
#include "kernels/simd/avx2_vec.h"

namespace mc {
namespace {

struct Avx2Bf16 : avx2::Vec {
  static V load_bf16(const uint16_t* p) {
    const __m128i h = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_cvtepu16_epi32(h), 16));
  }
};

}  // namespace

void f32_bf16w_gemm_4x16__avx2_fma3(size_t m, size_t n, size_t k, const float* a,
                                    size_t a_stride, const uint16_t* packed_w, float* c,
                                    size_t c_stride, Act act) {
  bf16w_impl::run<Avx2Bf16, 4>(m, n, k, a, a_stride, packed_w, c, c_stride, act);
}

}  // namespace mc
