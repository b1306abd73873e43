// The one loop body of every crc32c variant: 8-byte steps (little-endian words, any
// alignment), then the byte tail. Each variant supplies its two step functions: a CRC32C
// instruction or table lookups. Included by the variant files only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace mc {
namespace crc32c_impl {

inline uint64_t load_le64(const uint8_t* p) {
  uint64_t w;
  std::memcpy(&w, p, 8);  // unaligned load
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
  w = __builtin_bswap64(w);
#endif
  return w;
}

// Step8(c, w): c advanced over the 8 bytes of w (first byte in the low bits);
// Step1(c, b): over one byte. `c` is the inverted running CRC.
template <typename Step8, typename Step1>
inline uint32_t crc32c(uint32_t crc, const uint8_t* data, size_t size, Step8 step8,
                       Step1 step1) {
  uint32_t c = ~crc;
  size_t i = 0;
  for (; i + 8 <= size; i += 8) c = step8(c, load_le64(data + i));
  for (; i < size; ++i) c = step1(c, data[i]);
  return ~c;
}

}  // namespace crc32c_impl
}  // namespace mc
