#include "kernels/rowsum/rowsum.h"

namespace mc {
namespace {
const RowSumKernel kRowSumKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/rowsum/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<RowSumFn> rowsum_kernels() {
  return {kRowSumKernels, sizeof(kRowSumKernels) / sizeof(kRowSumKernels[0])};
}

const RowSumKernel& get_rowsum_kernel(uint64_t isa) { return rowsum_kernels().pick(isa); }

}  // namespace mc
