// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final XOR ~0): the
// model-file checksum. `crc` is the CRC of the bytes before `data` (0 to start), so a long
// buffer can be checksummed in pieces: crc32c(crc32c(0, a), b) == crc32c(0, a + b).
// Any alignment and size (0 returns `crc`); no over-read; never allocates.
// Check value: crc32c(0, "123456789", 9) == 0xE3069283.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef uint32_t (*Crc32cFn)(uint32_t crc, const uint8_t* data, size_t size);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  uint32_t name(uint32_t crc, const uint8_t* data, size_t size);
#include "kernels/crc32c/kernels.inc"
#undef MC_KERNEL

using Crc32cKernel = KernelEntry<Crc32cFn>;
KernelList<Crc32cFn> crc32c_kernels();
const Crc32cKernel& get_crc32c_kernel(uint64_t isa = cpu_isa());

constexpr uint32_t kCrc32cPoly = 0x82F63B78u;  // reflected Castagnoli polynomial

}  // namespace mc
