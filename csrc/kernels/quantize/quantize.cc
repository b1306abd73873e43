#include "kernels/quantize/quantize.h"

namespace mc {
namespace {
const QuantizeKernel kQuantizeKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/quantize/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<QuantizeFn> quantize_kernels() {
  return {kQuantizeKernels, sizeof(kQuantizeKernels) / sizeof(kQuantizeKernels[0])};
}

const QuantizeKernel& get_quantize_kernel(uint64_t isa) { return quantize_kernels().pick(isa); }

}  // namespace mc
