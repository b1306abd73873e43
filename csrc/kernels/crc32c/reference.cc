// One bit at a time, straight from the definition: the ground truth for crc32c.
#include "kernels/crc32c/crc32c.h"

namespace mc {

uint32_t u8_crc32c__reference(uint32_t crc, const uint8_t* data, size_t size) {
  uint32_t c = ~crc;
  for (size_t i = 0; i < size; ++i) {
    c ^= data[i];
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (kCrc32cPoly & (0u - (c & 1u)));
  }
  return ~c;
}

}  // namespace mc
