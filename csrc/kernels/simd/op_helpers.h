// Helpers shared by the op templates (<op>/impl.h) that every ISA file instantiates:
// turning a run-time activation into a compile-time one, full/tail vector loads and stores
// through the vector traits of avx2_vec.h / neon_vec.h, and software prefetch of a float range.
// Internal linkage, like the traits.
#pragma once

#include <cstddef>
#include <type_traits>

#include "base/activation.h"

namespace mc {
namespace {
namespace op_helpers {

// f(std::integral_constant<Act, A>{}) for the run-time act: the kernel body is compiled once
// per activation, with the activation switch folded away.
template <class F>
inline void with_act(Act a, F&& f) {
  switch (a) {
    case Act::kRelu: return f(std::integral_constant<Act, Act::kRelu>{});
    case Act::kRelu6: return f(std::integral_constant<Act, Act::kRelu6>{});
    case Act::kHardSwish: return f(std::integral_constant<Act, Act::kHardSwish>{});
    case Act::kSwish: return f(std::integral_constant<Act, Act::kSwish>{});
    case Act::kSigmoid: return f(std::integral_constant<Act, Act::kSigmoid>{});
    case Act::kHardSigmoid: return f(std::integral_constant<Act, Act::kHardSigmoid>{});
    case Act::kHardSigmoidKeras: return f(std::integral_constant<Act, Act::kHardSigmoidKeras>{});
    default: return f(std::integral_constant<Act, Act::kIdentity>{});
  }
}

constexpr size_t kLineFloats = 16;  // floats per 64-byte cache line

// Prefetches the lines of p[0, floats) (for writing when WRITE), one instruction per line.
template <bool WRITE>
inline void prefetch_lines(const float* p, size_t floats) {
  for (size_t q = 0; q < floats; q += kLineFloats) __builtin_prefetch(p + q, WRITE ? 1 : 0, 3);
}

template <class T, bool TAIL>
inline typename T::V ld(const float* p, const typename T::Tail& t) {
  if constexpr (TAIL) {
    return T::load_tail(p, t);
  } else {
    return T::load(p);
  }
}

template <class T, bool TAIL>
inline void st(float* p, typename T::V v, const typename T::Tail& t) {
  if constexpr (TAIL) {
    T::store_tail(p, v, t);
  } else {
    T::store(p, v);
  }
}

}  // namespace op_helpers
}  // namespace
}  // namespace mc
