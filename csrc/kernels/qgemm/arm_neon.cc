// NEON qgemm without the dot-product extension (ARMv8.0): A is moved to int8 (a - 128, the
// difference is added back as 128 * colsum), smull multiplies 8 bytes into exact int16
// products (|(a-128) * w| <= 128 * 127) and sadalp adds adjacent pairs into int32. Each column
// keeps two partial sums until addp at the end. Tile 2x16: 16 accumulators of the 32 q registers.
#include <arm_neon.h>

#include "kernels/qgemm/impl.h"
#include "kernels/qgemm/neon_int8.h"
#include "kernels/simd/neon_vec.h"

namespace mc {
namespace {

struct NeonMullDot {
  struct Acc {
    int32x4_t v[8];  // v[2q + h]: columns 4q + 2h, 4q + 2h + 1, two partial sums each
  };
  using W = qgemm_neon::Weights;
  using Av = int8x8_t;
  static void zero(Acc& acc) {
    for (auto& x : acc.v) x = vdupq_n_s32(0);
  }
  static W load_w(const int8_t* w) { return qgemm_neon::load_weights(w); }
  static Av load_a(const uint8_t* a) {
    return vreinterpret_s8_u32(vdup_n_u32(qgemm_neon::a_minus_128(a)));
  }
  static void dot(Acc& acc, Av a, const W& w) {
    for (size_t q = 0; q < 4; ++q) {
      acc.v[2 * q] = vpadalq_s16(acc.v[2 * q], vmull_s8(vget_low_s8(w.v[q]), a));
      acc.v[2 * q + 1] = vpadalq_s16(acc.v[2 * q + 1], vmull_s8(vget_high_s8(w.v[q]), a));
    }
  }
  static void reduce(const Acc& acc, const int32_t* colsum, int32_t zp, int32_t* out) {
    for (size_t q = 0; q < 4; ++q) {
      const int32x4_t s = vpaddq_s32(acc.v[2 * q], acc.v[2 * q + 1]);
      vst1q_s32(out + 4 * q, vmlaq_n_s32(s, vld1q_s32(colsum + 4 * q), 128 - zp));
    }
  }
};

}  // namespace

void qd8_f32_qc8w_gemm_2x16c4__neon_mull(size_t m, size_t n, size_t k, const uint8_t* a,
                                         size_t a_stride, const QuantParams* qa,
                                         const void* packed_w, float* c, size_t c_stride,
                                         const float* residual, size_t r_stride, Act act) {
  qgemm_impl::run<NeonMullDot, neon::Vec, 2>(m, n, k, a, a_stride, qa, packed_w, c, c_stride,
                                             residual, r_stride, act);
}

}  // namespace mc
