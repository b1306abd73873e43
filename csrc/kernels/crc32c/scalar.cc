// Portable fallback: slicing-by-8 (eight 256-entry tables built at compile time, 8 KiB), one
// 8-byte step per iteration, then the byte tail. Roughly 1 GB/s; CPUs with a CRC32C
// instruction use the ISA variants instead.

#include "kernels/crc32c/crc32c.h"

namespace mc {
namespace {

struct Tables {
  uint32_t t[8][256];
};

constexpr Tables make_tables() {
  Tables tab{};
  for (uint32_t b = 0; b < 256; ++b) {
    uint32_t c = b;
    for (int bit = 0; bit < 8; ++bit) c = (c >> 1) ^ (kCrc32cPoly & (0u - (c & 1u)));
    tab.t[0][b] = c;
  }
  for (uint32_t b = 0; b < 256; ++b) {
    for (int k = 1; k < 8; ++k) tab.t[k][b] = (tab.t[k - 1][b] >> 8) ^ tab.t[0][tab.t[k - 1][b] & 0xFF];
  }
  return tab;
}

constexpr Tables kTables = make_tables();

}  // namespace

uint32_t u8_crc32c_u8__scalar(uint32_t crc, const uint8_t* data, size_t size) {
  const auto& t = kTables.t;
  uint32_t c = ~crc;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) {
    // Bytes in file order: little-endian words regardless of the host's byte order.
    const uint32_t lo = c ^ (uint32_t(data[i]) | uint32_t(data[i + 1]) << 8 |
                             uint32_t(data[i + 2]) << 16 | uint32_t(data[i + 3]) << 24);
    const uint8_t* h = data + i + 4;
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][h[0]] ^ t[2][h[1]] ^ t[1][h[2]] ^ t[0][h[3]];
  }
  for (; i < size; ++i) c = (c >> 8) ^ t[0][(c ^ data[i]) & 0xFF];
  return ~c;
}

}  // namespace mc
