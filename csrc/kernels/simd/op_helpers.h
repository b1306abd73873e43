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

// Prefetches the lines of p[0, elems) (for writing when WRITE), one instruction per line.
template <bool WRITE, class E = float>
inline void prefetch_lines(const E* p, size_t elems) {
  constexpr size_t kLineElems = 64 / sizeof(E);
  for (size_t q = 0; q < elems; q += kLineElems) __builtin_prefetch(p + q, WRITE ? 1 : 0, 3);
}

// The temporal convs' past frames were written one or more frames ago and evicted since; the
// hardware prefetcher does not keep ahead of their kt - 1 interleaved streams, so each step
// prefetches their lines this far ahead (Zen 5, A2-stream in the network: the temporal convs
// 660 -> 430 us per frame; 2-6 KB measured alike, 16 KB and more slower).
constexpr size_t kPastPrefetchBytes = 4096;

// How many pixels of C elements of type E make kPastPrefetchBytes (rounded up).
template <class E>
constexpr size_t past_prefetch_pixels(size_t C) {
  return (kPastPrefetchBytes / sizeof(E) + C - 1) / C;
}

// Pixels [p, p + n) of each of the `count` frames (pixel = C elements) are about to be read:
// prefetch the pixels `ahead` further (past_prefetch_pixels), if still inside the frame.
template <class E>
inline void prefetch_past(const E* const* frames, size_t count, size_t C, size_t p, size_t n,
                          size_t ahead, size_t pixels) {
  if (p + ahead + n > pixels) return;
  for (size_t t = 0; t < count; ++t) prefetch_lines<false>(frames[t] + (p + ahead) * C, n * C);
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
