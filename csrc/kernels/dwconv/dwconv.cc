#include "kernels/dwconv/dwconv.h"

namespace mc {
namespace {
const DwConvKernel kDwConvKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/dwconv/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<DwConvFn> dwconv_kernels() {
  return {kDwConvKernels, sizeof(kDwConvKernels) / sizeof(kDwConvKernels[0])};
}

const DwConvKernel& get_dwconv_kernel(uint64_t isa) { return dwconv_kernels().pick(isa); }

}  // namespace mc
