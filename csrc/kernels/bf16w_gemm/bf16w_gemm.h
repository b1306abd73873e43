// Float-activation x bfloat16-weight GEMM with bias and activation, for weight-bound layers run on
// a few rows (the classifier of int8 files: one row per stream, 2 M weights):
//   C[i][j] = act(sum_p A[i][p] * float(W16[p][j]) + bias[j])
// Weights are rounded to bfloat16 (round to nearest even) once, when packed: half the bytes of
// float32 to stream every frame, widened back to float32 in registers by a 16-bit shift (any ISA,
// no F16C); products and sums are float32. Layout: packed by pack_bf16w_weights() into panels
// of kBf16wNR columns: float bias[16] | uint16 w[k][16] (columns past n zero).
// Contract: m, n, k >= 1; A rows stride a_stride floats; no write past C[m-1][n-1]; C does not
// alias A; no alignment requirement; never allocates. Variants differ only in float summation
// order (tests: within a bound of the double-precision reference).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/activation.h"
#include "base/arch.h"
#include "base/bf16.h"
#include "kernels/registry.h"

namespace mc {

constexpr size_t kBf16wNR = 16;

typedef void (*Bf16wGemmFn)(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                            const uint16_t* packed_w, float* c, size_t c_stride, Act act);

// uint16 elements of one packed panel (the 16 float biases take 32) and of a whole layer.
inline size_t bf16w_panel_elems(size_t k) { return kBf16wNR * (2 + k); }
inline size_t bf16w_packed_elems(size_t n, size_t k) {
  return (n + kBf16wNR - 1) / kBf16wNR * bf16w_panel_elems(k);
}

// w_kn: k rows of n float weights (W[p][j]); bias may be null.
void pack_bf16w_weights(size_t n, size_t k, const float* w_kn, const float* bias,
                        uint16_t* packed);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                                  \
  void name(size_t m, size_t n, size_t k, const float* a, size_t a_stride,                   \
            const uint16_t* packed_w, float* c, size_t c_stride, Act act);
#include "kernels/bf16w_gemm/kernels.inc"
#undef MC_KERNEL

using Bf16wGemmKernel = KernelEntry<Bf16wGemmFn>;
KernelList<Bf16wGemmFn> bf16w_gemm_kernels();
const Bf16wGemmKernel& get_bf16w_gemm_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
