#include "kernels/resize/resize.h"

namespace mc {
namespace {
const ResizeKernel kResizeKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/resize/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<ResizeFn> resize_kernels() {
  return {kResizeKernels, sizeof(kResizeKernels) / sizeof(kResizeKernels[0])};
}

const ResizeKernel& get_resize_kernel(uint64_t isa) { return resize_kernels().pick(isa); }

}  // namespace mc
