// Int8 pointwise (1x1x1) convolution as GEMM, XNNPACK's "qd8_f32_qc8w" scheme: activations
// quantized per row to uint8 with a zero point (dynamic: each row its own scale and zero point;
// static: one calibrated pair for every row), weights int8 symmetric per output channel,
// exact int32 accumulation, float epilogue:
//   acc[i][j] = sum_p (A[i][p] - za[i]) * W[p][j]                      (int32, exact)
//   C[i][j]   = act((float(acc[i][j]) * sa[i]) * sw[j] + bias[j]) + (residual ? R[i][j] : 0)
// The epilogue is evaluated in exactly this order (two multiplies, one add, no FMA) by every
// variant, so with the identity activation all variants agree bit for bit.
// Layouts: A rows of uint8 (stride in bytes); every row must be readable up to
// round_up(k, kQGemmKR) bytes (the bytes past k are multiplied by zero weights, any value is
// fine; quantize_rows() writes zeros there). W packed once by pack_qgemm_weights() into panels
// of kQGemmNR columns:
//   int32 colsum[NR] | float scale[NR] | float bias[NR] | int8 w[kc/KR][NR][KR]
// (kc = round_up(k, KR); column j of a panel holds W[p..p+3][j] contiguously: the "c4" layout of
// vpdpbusd / sdot; pad columns and pad k are zero). C, R: float rows, strides in floats.
// Contract: m, n, k >= 1, k <= kQGemmMaxK (int32 cannot overflow); no write past C[m-1][n-1];
// C aliases neither A nor R; no alignment requirement; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

constexpr size_t kQGemmNR = 16;
constexpr size_t kQGemmKR = 4;
// Weights are in -127..127: every partial sum stays below 2 * k * 255 * 127 < 2^31 up to here.
constexpr size_t kQGemmMaxK = 32768;

// Quantization of one activation row: real = scale * (q - zero_point), q in 0..255.
struct QuantParams {
  int32_t zero_point;
  float scale;
};

typedef void (*QGemmFn)(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,
                        const QuantParams* qa, const void* packed_w, float* c, size_t c_stride,
                        const float* residual, size_t r_stride, Act act);

inline size_t qgemm_round_k(size_t k) { return (k + kQGemmKR - 1) / kQGemmKR * kQGemmKR; }
inline size_t qgemm_panel_bytes(size_t k) {
  return kQGemmNR * (3 * sizeof(float) + qgemm_round_k(k));
}
// Bytes of the packed weights of an n x k (out x in) layer.
inline size_t qgemm_packed_bytes(size_t n, size_t k) {
  return (n + kQGemmNR - 1) / kQGemmNR * qgemm_panel_bytes(k);
}
// w_kn: k rows of n int8 weights (W[p][j]); scale: n per-channel scales; bias may be null.
void pack_qgemm_weights(size_t n, size_t k, const int8_t* w_kn, const float* scale,
                        const float* bias, void* packed);


#define MC_KERNEL(isa, name, tile_m, tile_n)                                                  \
  void name(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride,                 \
            const QuantParams* qa, const void* packed_w, float* c, size_t c_stride,          \
            const float* residual, size_t r_stride, Act act);
#include "kernels/qgemm/kernels.inc"
#undef MC_KERNEL

using QGemmKernel = KernelEntry<QGemmFn>;
KernelList<QGemmFn> qgemm_kernels();
const QGemmKernel& get_qgemm_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
