#include "kernels/conv2d/conv2d.h"

namespace mc {
namespace {
const Conv2dKernel kConv2dKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/conv2d/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<Conv2dFn> conv2d_kernels() {
  return {kConv2dKernels, sizeof(kConv2dKernels) / sizeof(kConv2dKernels[0])};
}

const Conv2dKernel& get_conv2d_kernel(uint64_t isa) { return conv2d_kernels().pick(isa); }

}  // namespace mc
