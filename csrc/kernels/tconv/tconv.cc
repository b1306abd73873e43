#include "kernels/tconv/tconv.h"

namespace mc {
namespace {
const TConvKernel kTConvKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/tconv/kernels.inc"
#undef MC_KERNEL
};
const Bf16RingTConvKernel kBf16RingTConvKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/tconv/kernels_bf16ring.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<TConvFn> tconv_kernels() {
  return {kTConvKernels, sizeof(kTConvKernels) / sizeof(kTConvKernels[0])};
}

const TConvKernel& get_tconv_kernel(uint64_t isa) { return tconv_kernels().pick(isa); }

KernelList<Bf16RingTConvFn> bf16ring_tconv_kernels() {
  return {kBf16RingTConvKernels, sizeof(kBf16RingTConvKernels) / sizeof(kBf16RingTConvKernels[0])};
}

const Bf16RingTConvKernel& get_bf16ring_tconv_kernel(uint64_t isa) {
  return bf16ring_tconv_kernels().pick(isa);
}

}  // namespace mc
