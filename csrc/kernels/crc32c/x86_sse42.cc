// SSE4.2 CRC32 instruction (CRC-32C polynomial): 8 bytes per instruction, then the byte tail.
// Only file built with -msse4.2. One dependency chain: about 8 bytes per 3 cycles, several GB/s,
// which keeps checksumming a model file far below the cost of reading it.
#include <nmmintrin.h>

#include <cstring>

#include "kernels/crc32c/crc32c.h"

namespace mc {

uint32_t u8_crc32c_u8__sse42(uint32_t crc, const uint8_t* data, size_t size) {
  uint64_t c = ~crc;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    uint64_t word;
    std::memcpy(&word, data + i, 8);  // unaligned load; x86 is little-endian
    c = _mm_crc32_u64(c, word);
  }
  uint32_t c32 = uint32_t(c);
  for (; i < size; ++i) c32 = _mm_crc32_u8(c32, data[i]);
  return ~c32;
}

}  // namespace mc
