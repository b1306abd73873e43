// NEON dot-product qgemm (ARMv8.2 DotProd, detected from HWCAP_ASIMDDP): sdot multiplies 4
// int8 pairs per int32 lane. A is moved to int8 (a - 128; 128 * colsum restores the u8 sum)
// because there is no u8 x s8 sdot before the i8mm extension. Tile 4x16: 16 accumulators.
#include <arm_neon.h>

#include "kernels/qgemm/impl.h"
#include "kernels/qgemm/neon_int8.h"
#include "kernels/simd/neon_vec.h"

namespace mc {
namespace {

struct NeonDotDot {
  struct Acc {
    int32x4_t v[4];
  };
  using W = qgemm_neon::Weights;
  using Av = int8x16_t;
  static void zero(Acc& acc) {
    for (auto& x : acc.v) x = vdupq_n_s32(0);
  }
  static W load_w(const int8_t* w) { return qgemm_neon::load_weights(w); }
  static Av load_a(const uint8_t* a) {
    return vreinterpretq_s8_u32(vdupq_n_u32(qgemm_neon::a_minus_128(a)));
  }
  static void dot(Acc& acc, Av a, const W& w) {
    for (size_t q = 0; q < 4; ++q) acc.v[q] = vdotq_s32(acc.v[q], w.v[q], a);
  }
  static void reduce(const Acc& acc, const int32_t* colsum, int32_t zp, int32_t* out) {
    for (size_t q = 0; q < 4; ++q) {
      vst1q_s32(out + 4 * q, vmlaq_n_s32(acc.v[q], vld1q_s32(colsum + 4 * q), 128 - zp));
    }
  }
};

}  // namespace

void qd8_f32_qc8w_gemm_4x16c4__neondot(size_t m, size_t n, size_t k, const uint8_t* a,
                                       size_t a_stride, const QuantParams* qa,
                                       const void* packed_w, float* c, size_t c_stride,
                                       const float* residual, size_t r_stride, Act act) {
  qgemm_impl::run<NeonDotDot, neon::Vec, 4>(m, n, k, a, a_stride, qa, packed_w, c, c_stride,
                                            residual, r_stride, act);
}

}  // namespace mc
