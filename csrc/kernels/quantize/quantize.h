// Dynamic activation quantization for the int8 gemm (kernels/qgemm): each row of x gets its own
// uint8 scale and zero point, then q = round_half_even(clamp(x * (1 / scale) + zp, 0, 255)).
// Per row: lo = min(0, min x), hi = max(0, max x) (zero stays exact), scale = (hi - lo) / 255,
// zp = round(-lo / scale); an all-zero row gets scale 1, zero point 0. Every variant follows
// these float steps in this order (no FMA; rounding by the 1.5 * 2^23 trick, no libm), so all
// agree bit for bit. Rows of q are written up to round_up(k, kQGemmKR) bytes (pad bytes zero).
// With `fixed` (static quantization: one calibrated pair for every row) the range pass is
// skipped and every row uses *fixed: params[i] = *fixed, same conversion steps. With
// `col_scale` (k floats, the SE gate fused into the projection's quantization) every step
// reads x[i][j] * col_scale[j] (one float multiply) instead of x[i][j]; x is not modified.
// Contract: m, k >= 1; x finite; q_stride >= round_up(k, kQGemmKR); fixed null or scale > 0 and
// zero point 0..255; never allocates.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "base/arch.h"
#include "kernels/qgemm/qgemm.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*QuantizeFn)(size_t m, size_t k, const float* x, size_t x_stride,
                           const float* col_scale, uint8_t* q, size_t q_stride,
                           const QuantParams* fixed, QuantParams* params);

// 1.5 * 2^23: (v + M) - M rounds v in [0, 2^22] to an integer, ties to even.
constexpr float kRoundMagic = 12582912.f;

// The per-row parameters from the row's min and max (shared by every variant). Returns the
// params and the reciprocal scale the quantization multiplies by.
inline QuantParams row_quant_params(float lo, float hi, float* inv_scale) {
  lo = std::min(lo, 0.f);
  hi = std::max(hi, 0.f);
  QuantParams p{0, 1.f};
  const float scale = (hi - lo) / 255.f;
  if (scale > 0.f) {
    p.scale = scale;
    const float zp = std::min(std::max(-lo / scale, 0.f), 255.f);
    p.zero_point = int32_t((zp + kRoundMagic) - kRoundMagic);
  }
  *inv_scale = 1.f / p.scale;
  return p;
}

// The params of one row: *fixed (static) or from the row's range (dynamic, row_quant_params).
inline QuantParams row_params(const QuantParams* fixed, float lo, float hi, float* inv_scale) {
  if (fixed == nullptr) return row_quant_params(lo, hi, inv_scale);
  *inv_scale = 1.f / fixed->scale;
  return *fixed;
}

#define MC_KERNEL(isa, name, tile_m, tile_n)                                                 \
  void name(size_t m, size_t k, const float* x, size_t x_stride, const float* col_scale,     \
            uint8_t* q, size_t q_stride, const QuantParams* fixed, QuantParams* params);
#include "kernels/quantize/kernels.inc"
#undef MC_KERNEL

using QuantizeKernel = KernelEntry<QuantizeFn>;
KernelList<QuantizeFn> quantize_kernels();
const QuantizeKernel& get_quantize_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
