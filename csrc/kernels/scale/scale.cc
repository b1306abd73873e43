#include "kernels/scale/scale.h"

namespace mc {
namespace {
const ScaleKernel kScaleKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/scale/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<ScaleFn> scale_kernels() {
  return {kScaleKernels, sizeof(kScaleKernels) / sizeof(kScaleKernels[0])};
}

const ScaleKernel& get_scale_kernel(uint64_t isa) { return scale_kernels().pick(isa); }

}  // namespace mc
