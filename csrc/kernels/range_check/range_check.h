// Range test of float input frames: true iff every x[i] (i < n) lies in [lo, hi]; NaN fails
// (so do infinities outside the range). Read-only; no over-read; never allocates.
#pragma once

#include <cstddef>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef bool (*RangeCheckFn)(const float* x, size_t n, float lo, float hi);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  bool name(const float* x, size_t n, float lo, float hi);
#include "kernels/range_check/kernels.inc"
#undef MC_KERNEL

using RangeCheckKernel = KernelEntry<RangeCheckFn>;
KernelList<RangeCheckFn> range_check_kernels();
const RangeCheckKernel& get_range_check_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
