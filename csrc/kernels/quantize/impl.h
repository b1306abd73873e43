// The quantize body shared by the x86 files, over a small vector trait Q:
//   V, kWidth, Mask, mask(n), load(p) / load(p, Mask) (masked lanes read as 0 and are never
//   touched in memory), min/max/add/mul/set1, hmin/hmax, and store_u8(dst, V, n) writing n
//   bytes of round-to-nearest-even integers 0..255.
// Masked tails read as 0, which the min/max rule already includes (zero is always in range).
#pragma once

#include "kernels/quantize/quantize.h"

namespace mc {
namespace {
namespace quantize_impl {

template <class Q>
void run(size_t m, size_t k, const float* x, size_t x_stride, uint8_t* q, size_t q_stride,
         const QuantParams* fixed, QuantParams* params) {
  constexpr size_t W = Q::kWidth;
  const size_t kc = qgemm_round_k(k);
  const size_t tail = k % W;
  const typename Q::Mask tail_mask = Q::mask(tail);
  for (size_t i = 0; i < m; ++i) {
    const float* xi = x + i * x_stride;
    typename Q::V lo = Q::set1(0.f), hi = Q::set1(0.f);
    size_t j = 0;
    if (fixed == nullptr) {
      for (; j + W <= k; j += W) {
        const typename Q::V v = Q::load(xi + j);
        lo = Q::min(lo, v);
        hi = Q::max(hi, v);
      }
      if (tail) {
        const typename Q::V v = Q::load(xi + j, tail_mask);
        lo = Q::min(lo, v);
        hi = Q::max(hi, v);
      }
    }
    float inv;
    params[i] = row_params(fixed, Q::hmin(lo), Q::hmax(hi), &inv);
    const typename Q::V vinv = Q::set1(inv), vzp = Q::set1(float(params[i].zero_point));
    uint8_t* qi = q + i * q_stride;
    for (j = 0; j + W <= k; j += W) Q::store_u8(qi + j, Q::add(Q::mul(Q::load(xi + j), vinv), vzp), W);
    if (tail) {
      Q::store_u8(qi + j, Q::add(Q::mul(Q::load(xi + j, tail_mask), vinv), vzp), tail);
      j += tail;
    }
    for (; j < kc; ++j) qi[j] = 0;
  }
}

}  // namespace quantize_impl
}  // namespace
}  // namespace mc
