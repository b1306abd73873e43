#include "kernels/crc32c/crc32c.h"

namespace mc {
namespace {
const Crc32cKernel kCrc32cKernels[] = {
#define MC_KERNEL(isa, name, tile_m, tile_n) {#name, isa, name, tile_m, tile_n},
#include "kernels/crc32c/kernels.inc"
#undef MC_KERNEL
};
}  // namespace

KernelList<Crc32cFn> crc32c_kernels() {
  return {kCrc32cKernels, sizeof(kCrc32cKernels) / sizeof(kCrc32cKernels[0])};
}

const Crc32cKernel& get_crc32c_kernel(uint64_t isa) { return crc32c_kernels().pick(isa); }

}  // namespace mc
