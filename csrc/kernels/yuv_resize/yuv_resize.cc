#include "kernels/yuv_resize/yuv_resize.h"

namespace mc {
namespace {
const YuvResizeKernel kYuvResizeKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/yuv_resize/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<YuvResizeFn> yuv_resize_kernels() {
  return {kYuvResizeKernels, sizeof(kYuvResizeKernels) / sizeof(kYuvResizeKernels[0])};
}

const YuvResizeKernel& get_yuv_resize_kernel(uint64_t isa) {
  return yuv_resize_kernels().pick(isa);
}

}  // namespace mc
