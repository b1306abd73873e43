#include "kernels/tconv/tconv.h"

namespace mc {
namespace {
const TConvKernel kTConvKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/tconv/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<TConvFn> tconv_kernels() {
  return {kTConvKernels, sizeof(kTConvKernels) / sizeof(kTConvKernels[0])};
}

const TConvKernel& get_tconv_kernel(uint64_t isa) { return tconv_kernels().pick(isa); }

}  // namespace mc
