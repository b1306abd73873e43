// Scale body shared by the SIMD ISA files, instantiated with a vector-traits type: per pixel,
// 4 vectors of channels per step, then 1, then a partial vector through the traits' tail
// loads/stores (no over-read or over-write). Element-wise, so y == x is fine.
// Include ONLY from ISA files (internal linkage).
#pragma once

#include <cstddef>

#include "kernels/scale/scale.h"

namespace mc {
namespace {
namespace scale_impl {

template <class T>
void scale(size_t pixels, size_t channels, const float* x, const float* s, float* y) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth;
  const size_t C = channels;
  const typename T::Tail tail = T::tail(C % W);
  for (size_t p = 0; p < pixels; ++p, x += C, y += C) {
    size_t c = 0;
    for (; c + 4 * W <= C; c += 4 * W) {
      V v[4];
      for (size_t q = 0; q < 4; ++q) v[q] = T::mul(T::load(x + c + q * W), T::load(s + c + q * W));
      for (size_t q = 0; q < 4; ++q) T::store(y + c + q * W, v[q]);
    }
    for (; c + W <= C; c += W) T::store(y + c, T::mul(T::load(x + c), T::load(s + c)));
    if (c < C) {
      T::store_tail(y + c, T::mul(T::load_tail(x + c, tail), T::load_tail(s + c, tail)), tail);
    }
  }
}

}  // namespace scale_impl
}  // namespace
}  // namespace mc
