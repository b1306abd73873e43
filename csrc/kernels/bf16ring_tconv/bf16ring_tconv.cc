#include "kernels/bf16ring_tconv/bf16ring_tconv.h"

namespace mc {
namespace {
const Bf16RingTConvKernel kBf16RingTConvKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/bf16ring_tconv/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<Bf16RingTConvFn> bf16ring_tconv_kernels() {
  return {kBf16RingTConvKernels, sizeof(kBf16RingTConvKernels) / sizeof(kBf16RingTConvKernels[0])};
}

const Bf16RingTConvKernel& get_bf16ring_tconv_kernel(uint64_t isa) {
  return bf16ring_tconv_kernels().pick(isa);
}

}  // namespace mc
