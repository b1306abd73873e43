// NEON bf16w_gemm: 4 bf16 weights widened by ushll #16 (exact), one FMA each.
#include <arm_neon.h>

#include "kernels/bf16w_gemm/impl.h"
#include "kernels/simd/neon_vec.h"

namespace mc {
namespace {

struct NeonBf16 : neon::Vec {
  static V load_bf16(const uint16_t* p) {
    return vreinterpretq_f32_u32(vshll_n_u16(vld1_u16(p), 16));
  }
};

}  // namespace

void f32_bf16w_gemm_4x16__neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                               const uint16_t* packed_w, float* c, size_t c_stride, Act act) {
  bf16w_impl::run<NeonBf16, 4>(m, n, k, a, a_stride, packed_w, c, c_stride, act);
}

}  // namespace mc
