#include "kernels/act/act.h"

namespace mc {
namespace {
const ActKernel kActKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/act/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<ActFn> act_kernels() {
  return {kActKernels, sizeof(kActKernels) / sizeof(kActKernels[0])};
}

const ActKernel& get_act_kernel(uint64_t isa) { return act_kernels().pick(isa); }

}  // namespace mc
