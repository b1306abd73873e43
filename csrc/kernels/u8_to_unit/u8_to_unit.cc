#include "kernels/u8_to_unit/u8_to_unit.h"

namespace mc {
namespace {
const U8ToUnitKernel kU8ToUnitKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/u8_to_unit/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<U8ToUnitFn> u8_to_unit_kernels() {
  return {kU8ToUnitKernels, sizeof(kU8ToUnitKernels) / sizeof(kU8ToUnitKernels[0])};
}

const U8ToUnitKernel& get_u8_to_unit_kernel(uint64_t isa) {
  return u8_to_unit_kernels().pick(isa);
}

}  // namespace mc
