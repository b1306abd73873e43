// Per-channel scaling (the squeeze-excitation gate): y[p][c] = x[p][c] * s[c]. y may equal x.
// No over-read/over-write; never allocates.
#pragma once

#include <cstddef>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*ScaleFn)(size_t pixels, size_t channels, const float* x, const float* s, float* y);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  void name(size_t pixels, size_t channels, const float* x, const float* s, float* y);
#include "kernels/scale/kernels.inc"
#undef MC_KERNEL

using ScaleKernel = KernelEntry<ScaleFn>;
KernelList<ScaleFn> scale_kernels();
const ScaleKernel& get_scale_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
