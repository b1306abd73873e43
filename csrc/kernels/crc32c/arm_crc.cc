// ARMv8 CRC32 extension (CRC32CX: CRC-32C over 8 bytes). Only file built with +crc; dispatched
// when the CPU reports it (HWCAP_CRC32: every Cortex-A53 or newer, so every 64-bit Raspberry
// Pi and Android phone).
#include <arm_acle.h>

#include "kernels/crc32c/crc32c.h"
#include "kernels/crc32c/impl.h"

namespace mc {

uint32_t u8_crc32c_u8__arm_crc(uint32_t crc, const uint8_t* data, size_t size) {
  return crc32c_impl::crc32c(
      crc, data, size, [](uint32_t c, uint64_t w) { return __crc32cd(c, w); },
      [](uint32_t c, uint8_t b) { return __crc32cb(c, b); });
}

}  // namespace mc
