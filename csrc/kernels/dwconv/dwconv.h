// Depthwise convolution over kt frames (kt = 1: spatial k x k; kt > 1: full 3D depthwise):
//   out[oy][ox][c] = act(bias[c] + sum_{t<kt, i<kh, j<kw} w[t][i][j][c] * in_t[iy][ix][c])
//   iy = oy*stride + i - pad_top, ix = ox*stride + j - pad_left; outside the frame = 0.
// frames[t] (t < kt, oldest first) point to [in_h][in_w][channels] frames; nullptr = zero
// frame (causal/temporal padding). Only output rows [oy_begin, oy_end) are computed (threads
// split rows). channel_sum, if not null, receives sum over the computed rows of out[.][.][c]
// (overwritten, not accumulated) -- the SE / pooling input, fused to save a pass.
// Weights [kt][kh][kw][channels], bias [channels]. Contract: no over-read/over-write,
// channels any >= 1, no alignment requirement, never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

struct DwConvParams {
  uint32_t in_h, in_w, channels;
  uint32_t out_h, out_w;
  uint32_t kt, kh, kw;
  uint32_t stride;  // spatial stride (1 or 2)
  uint32_t pad_top, pad_left;
  uint32_t oy_begin, oy_end;
  Act act;
};

typedef void (*DwConvFn)(const DwConvParams* p, const float* const* frames, const float* w,
                         const float* bias, float* out, float* channel_sum);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                           \
  void name(const DwConvParams* p, const float* const* frames, const float* w, \
            const float* bias, float* out, float* channel_sum);
#include "kernels/dwconv/kernels.inc"
#undef MC_KERNEL

using DwConvKernel = KernelEntry<DwConvFn>;
KernelList<DwConvFn> dwconv_kernels();
const DwConvKernel& get_dwconv_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
