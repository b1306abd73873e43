// Portable fallback: slicing-by-8 (eight 256-entry tables built at compile time, 8 KiB), one
// 8-byte step per iteration. Roughly 1 GB/s; CPUs with a CRC32C instruction use the ISA
// variants instead.
#include "kernels/crc32c/crc32c.h"
#include "kernels/crc32c/impl.h"

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
    for (int k = 1; k < 8; ++k) {
      tab.t[k][b] = (tab.t[k - 1][b] >> 8) ^ tab.t[0][tab.t[k - 1][b] & 0xFF];
    }
  }
  return tab;
}

constexpr Tables kTables = make_tables();

uint32_t step8(uint32_t c, uint64_t w) {
  const auto& t = kTables.t;
  const uint32_t lo = c ^ uint32_t(w), hi = uint32_t(w >> 32);
  return t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
         t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
}

uint32_t step1(uint32_t c, uint8_t b) { return (c >> 8) ^ kTables.t[0][(c ^ b) & 0xFF]; }

}  // namespace

uint32_t u8_crc32c_u8__scalar(uint32_t crc, const uint8_t* data, size_t size) {
  return crc32c_impl::crc32c(crc, data, size, step8, step1);
}

}  // namespace mc
