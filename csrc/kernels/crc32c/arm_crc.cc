// ARMv8 CRC32 extension (CRC32CX: CRC-32C over 8 bytes), then the byte tail. Only file built
// with +crc; dispatched when the CPU reports it (HWCAP_CRC32: every Cortex-A53 or newer, so
// every 64-bit Raspberry Pi and Android phone).
#include <arm_acle.h>

#include <cstring>

#include "kernels/crc32c/crc32c.h"

namespace mc {

uint32_t u8_crc32c_u8__arm_crc(uint32_t crc, const uint8_t* data, size_t size) {
  uint32_t c = ~crc;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);  // AArch64 Linux/Android run little-endian
    c = __crc32cd(c, word);
  }
  for (; i < size; ++i) c = __crc32cb(c, data[i]);
  return ~c;
}

}  // namespace mc
