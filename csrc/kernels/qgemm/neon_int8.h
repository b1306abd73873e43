// What the two NEON qgemm variants (plain NEON and DotProd) read the same way: a packed block
// of 16 columns x 4 k of int8 weights, and the 4 bytes of an A row moved to int8 (a - 128,
// i.e. the top bit flipped; reduce() adds (128 - zero point) * colsum: the u8 sum back, the
// row's zero point out).
#pragma once

#include <arm_neon.h>

#include <cstdint>
#include <cstring>

namespace mc {
namespace qgemm_neon {

struct Weights {
  int8x16_t v[4];  // v[q]: columns 4q..4q+3 x 4 k
};

inline Weights load_weights(const int8_t* w) {
  Weights r;
  for (size_t q = 0; q < 4; ++q) r.v[q] = vld1q_s8(w + 16 * q);
  return r;
}

// The 4 bytes a[0..3] - 128 as int8, packed in one word (to broadcast to every lane).
inline uint32_t a_minus_128(const uint8_t* a) {
  uint32_t x;
  std::memcpy(&x, a, 4);
  return x ^ 0x80808080u;
}

}  // namespace qgemm_neon
}  // namespace mc
