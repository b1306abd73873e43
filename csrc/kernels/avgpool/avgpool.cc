#include "kernels/avgpool/avgpool.h"

namespace mc {
namespace {
const AvgPoolKernel kAvgPoolKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/avgpool/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<AvgPoolFn> avgpool_kernels() {
  return {kAvgPoolKernels, sizeof(kAvgPoolKernels) / sizeof(kAvgPoolKernels[0])};
}

const AvgPoolKernel& get_avgpool_kernel(uint64_t isa) { return avgpool_kernels().pick(isa); }

}  // namespace mc
