// Rowsum body shared by the SIMD ISA files, instantiated with a vector-traits type: blocks of
// 4 vectors of channels with two pixel-parity accumulator sets (8 adds in flight), then single
// vectors with four parities, the last one partial (traits' tail loads: no over-read).
// Include ONLY from ISA files (internal linkage).
#pragma once

#include <cstddef>

#include "kernels/rowsum/rowsum.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace rowsum_impl {

using op_helpers::ld;
using op_helpers::st;

// Channels [c0, c0 + W) (TAIL: the first t.n of them), four pixel parities.
template <class T, bool TAIL>
inline void one_vector(size_t pixels, size_t C, const float* x, float* sum,
                       const typename T::Tail& t) {
  using V = typename T::V;
  V a0 = T::zero(), a1 = a0, a2 = a0, a3 = a0;
  size_t p = 0;
  for (; p + 4 <= pixels; p += 4, x += 4 * C) {
    a0 = T::add(a0, ld<T, TAIL>(x, t));
    a1 = T::add(a1, ld<T, TAIL>(x + C, t));
    a2 = T::add(a2, ld<T, TAIL>(x + 2 * C, t));
    a3 = T::add(a3, ld<T, TAIL>(x + 3 * C, t));
  }
  for (; p < pixels; ++p, x += C) a0 = T::add(a0, ld<T, TAIL>(x, t));
  st<T, TAIL>(sum, T::add(T::add(a0, a1), T::add(a2, a3)), t);
}

template <class T>
void rowsum(size_t pixels, size_t channels, const float* x, float* sum) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth;
  const size_t C = channels;
  size_t c0 = 0;
  for (; c0 + 4 * W <= C; c0 += 4 * W) {
    V a[4], b[4];
    for (size_t q = 0; q < 4; ++q) a[q] = b[q] = T::zero();
    const float* xp = x + c0;
    size_t p = 0;
    for (; p + 2 <= pixels; p += 2, xp += 2 * C) {
      for (size_t q = 0; q < 4; ++q) {
        a[q] = T::add(a[q], T::load(xp + q * W));
        b[q] = T::add(b[q], T::load(xp + C + q * W));
      }
    }
    if (p < pixels) {
      for (size_t q = 0; q < 4; ++q) a[q] = T::add(a[q], T::load(xp + q * W));
    }
    for (size_t q = 0; q < 4; ++q) T::store(sum + c0 + q * W, T::add(a[q], b[q]));
  }
  const typename T::Tail full = T::tail(W), tail = T::tail(C % W);
  for (; c0 + W <= C; c0 += W) one_vector<T, false>(pixels, C, x + c0, sum + c0, full);
  if (c0 < C) one_vector<T, true>(pixels, C, x + c0, sum + c0, tail);
}

}  // namespace rowsum_impl
}  // namespace
}  // namespace mc
