// Activation body shared by the SIMD ISA files, instantiated with a vector-traits type:
// two vectors per step, then one (partial) vector at a time through the traits' tail
// loads/stores (no over-read). Include ONLY from ISA files (internal linkage).
#pragma once

#include <cstddef>

#include "kernels/act/act.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace act_impl {

template <class T, Act A>
void run(size_t n, const float* x, float* y) {
  constexpr size_t W = T::kWidth;
  size_t i = 0;
  for (; i + 2 * W <= n; i += 2 * W) {
    const typename T::V a = T::template act<A>(T::load(x + i));
    const typename T::V b = T::template act<A>(T::load(x + i + W));
    T::store(y + i, a);
    T::store(y + i + W, b);
  }
  for (; i < n; i += W) {
    const typename T::Tail t = T::tail(n - i < W ? n - i : W);
    T::store_tail(y + i, T::template act<A>(T::load_tail(x + i, t)), t);
  }
}

template <class T>
void act(size_t n, const float* x, float* y, Act act) {
  op_helpers::with_act(act, [&](auto a) { run<T, decltype(a)::value>(n, x, y); });
}

}  // namespace act_impl
}  // namespace
}  // namespace mc
