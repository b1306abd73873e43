// AVX-512 bf16w_gemm: 16 bf16 weights widened in registers (avx512::Vec::load_bf16), one FMA each.
#include <immintrin.h>

#include "kernels/bf16w_gemm/impl.h"
#include "kernels/simd/avx512_vec.h"

namespace mc {

void f32_bf16w_gemm_4x16__avx512(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                                 const uint16_t* packed_w, float* c, size_t c_stride, Act act) {
  bf16w_impl::run<avx512::Vec, 4>(m, n, k, a, a_stride, packed_w, c, c_stride, act);
}

}  // namespace mc
