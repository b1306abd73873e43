#include "kernels/range_check/range_check.h"

namespace mc {
namespace {
const RangeCheckKernel kRangeCheckKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/range_check/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<RangeCheckFn> range_check_kernels() {
  return {kRangeCheckKernels, sizeof(kRangeCheckKernels) / sizeof(kRangeCheckKernels[0])};
}

const RangeCheckKernel& get_range_check_kernel(uint64_t isa) {
  return range_check_kernels().pick(isa);
}

}  // namespace mc
