// Average pooling with TF SAME semantics: padded cells are EXCLUDED from the divisor (a corner
// window of a 3x3 pool with padding on two sides averages 4 values). The skip path of strided
// MoViNet layers (1x3x3, stride 2). Only output rows [oy_begin, oy_end) are computed.
// No over-read/over-write; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

struct AvgPoolParams {
  uint32_t in_h, in_w, channels;
  uint32_t out_h, out_w;
  uint32_t kh, kw, stride;
  uint32_t pad_top, pad_left;
  uint32_t oy_begin, oy_end;
};

typedef void (*AvgPoolFn)(const AvgPoolParams* p, const float* in, float* out);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  void name(const AvgPoolParams* p, const float* in, float* out);
#include "kernels/avgpool/kernels.inc"
#undef MC_KERNEL

using AvgPoolKernel = KernelEntry<AvgPoolFn>;
KernelList<AvgPoolFn> avgpool_kernels();
const AvgPoolKernel& get_avgpool_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
