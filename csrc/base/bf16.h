// bfloat16 <-> float32, the scalar rule every SIMD variant reproduces bit for bit: widening is
// a 16-bit shift (exact); narrowing rounds to nearest even by integer arithmetic on the bits
// (no AVX512-BF16 / F16C needed; finite values beyond the bfloat16 range become infinities).
#pragma once

#include <cstdint>
#include <cstring>

namespace mc {

inline uint16_t to_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  return uint16_t((u + 0x7FFFu + ((u >> 16) & 1u)) >> 16);
}

inline float from_bf16(uint16_t h) {
  const uint32_t u = uint32_t(h) << 16;
  float x;
  std::memcpy(&x, &u, 4);
  return x;
}

// A value stored as float32 or bfloat16 (ring buffers), read as / written from float32.
inline float widen(float x) { return x; }
inline float widen(uint16_t h) { return from_bf16(h); }
inline void narrow(float x, float* out) { *out = x; }
inline void narrow(float x, uint16_t* out) { *out = to_bf16(x); }

}  // namespace mc
