// Per-channel sum over pixels (spatial pooling for SE, head and cumulative pooling):
//   sum[c] = sum_{p < pixels} x[p][c]   (overwritten). No over-read; never allocates.
#pragma once

#include <cstddef>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*RowSumFn)(size_t pixels, size_t channels, const float* x, float* sum);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  void name(size_t pixels, size_t channels, const float* x, float* sum);
#include "kernels/rowsum/kernels.inc"
#undef MC_KERNEL

using RowSumKernel = KernelEntry<RowSumFn>;
KernelList<RowSumFn> rowsum_kernels();
const RowSumKernel& get_rowsum_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
