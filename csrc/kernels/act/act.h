// Element-wise activation: y[i] = act(x[i]) for i < n. In-place (y == x) is allowed.
// Contract: no over-read or over-write past n; any n >= 0; no alignment requirement.
#pragma once

#include <cstddef>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*ActFn)(size_t n, const float* x, float* y, Act act);

#define MC_KERNEL(isa, name, tile_m, tile_n) void name(size_t n, const float* x, float* y, Act act);
#include "kernels/act/kernels.inc"
#undef MC_KERNEL

using ActKernel = KernelEntry<ActFn>;
KernelList<ActFn> act_kernels();
const ActKernel& get_act_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
