// uint8 input frames to the engine's float range: y[i] = float(x[i]) / 255 (correctly rounded:
// a division, not a multiply by 1/255, so every variant and NumPy's `x / np.float32(255)` give
// the same floats). No over-read/over-write; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*U8ToUnitFn)(const uint8_t* x, size_t n, float* y);

#define MC_KERNEL(isa, name, tile_m, tile_n) void name(const uint8_t* x, size_t n, float* y);
#include "kernels/u8_to_unit/kernels.inc"
#undef MC_KERNEL

using U8ToUnitKernel = KernelEntry<U8ToUnitFn>;
KernelList<U8ToUnitFn> u8_to_unit_kernels();
const U8ToUnitKernel& get_u8_to_unit_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
