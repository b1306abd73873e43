// SSE4.2 CRC32 instruction (CRC-32C polynomial): 8 bytes per instruction. Only file built with
// -msse4.2. One dependency chain: about 8 bytes per 3 cycles, several GB/s, which keeps
// checksumming a model file far below the cost of reading it.
#include <nmmintrin.h>

#include "kernels/crc32c/crc32c.h"
#include "kernels/crc32c/impl.h"

namespace mc {

uint32_t u8_crc32c_u8__sse42(uint32_t crc, const uint8_t* data, size_t size) {
  return crc32c_impl::crc32c(
      crc, data, size, [](uint32_t c, uint64_t w) { return uint32_t(_mm_crc32_u64(c, w)); },
      [](uint32_t c, uint8_t b) { return _mm_crc32_u8(c, b); });
}

}  // namespace mc
