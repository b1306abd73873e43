// AVX2/FMA activation: 16 floats per step, masked tail (no over-read).
#include <immintrin.h>

#include "kernels/act/act.h"
#include "kernels/simd/op_helpers.h"
#include "kernels/simd/avx2_math.h"

namespace mc {
namespace {

template <Act A>
void run(size_t n, const float* x, float* y) {
  size_t i = 0;
  for (; i + 16 <= n; i += 16) {
    const __m256 a = avx2::act_ps(A, _mm256_loadu_ps(x + i));
    const __m256 b = avx2::act_ps(A, _mm256_loadu_ps(x + i + 8));
    _mm256_storeu_ps(y + i, a);
    _mm256_storeu_ps(y + i + 8, b);
  }
  for (; i < n; i += 8) {
    const size_t rem = n - i < 8 ? n - i : 8;
    const __m256i m = avx2::tail_mask(rem);
    _mm256_maskstore_ps(y + i, m, avx2::act_ps(A, _mm256_maskload_ps(x + i, m)));
  }
}

}  // namespace

void f32_act_u16__avx2_fma3(size_t n, const float* x, float* y, Act act) {
  op_helpers::with_act(act, [&](auto a) { run<decltype(a)::value>(n, x, y); });
}

}  // namespace mc
