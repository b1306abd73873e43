// The quantize body shared by the x86 files, over a small vector trait Q:
//   V, kWidth, Mask, mask(n), load(p) / load(p, Mask) (masked lanes read as 0 and are never
//   touched in memory), min/max/add/sub/mul/set1, hmin/hmax, and store_u8(dst, V, n) writing
//   the first n lanes (integral floats 0..255) as bytes.
// Masked tails read as 0, which the min/max rule already includes (zero is always in range).
#pragma once

#include "kernels/quantize/quantize.h"

namespace mc {
namespace {
namespace quantize_impl {

// Rows go in blocks of kBlock: all their ranges first, then all their params, then all their
// conversions, so the long per-row chain (min/max reduction, three divisions) of one row
// overlaps the others' instead of stalling the conversion pass behind it.
constexpr size_t kBlock = 8;

// Clamp to 0..255 and round half to even, as integral floats (the 1.5 * 2^23 trick of
// quantize.h, the same float steps as the reference).
template <class Q>
inline typename Q::V round_u8(typename Q::V v) {
  const typename Q::V magic = Q::set1(kRoundMagic);
  v = Q::min(Q::max(v, Q::set1(0.f)), Q::set1(255.f));
  return Q::sub(Q::add(v, magic), magic);
}

// x[j] (times col_scale[j] when SCALED), full vector or masked tail.
template <class Q, bool SCALED>
inline typename Q::V load_x(const float* x, const float* col_scale, size_t j) {
  return SCALED ? Q::mul(Q::load(x + j), Q::load(col_scale + j)) : Q::load(x + j);
}
template <class Q, bool SCALED>
inline typename Q::V load_x(const float* x, const float* col_scale, size_t j,
                            typename Q::Mask m) {
  return SCALED ? Q::mul(Q::load(x + j, m), Q::load(col_scale + j, m)) : Q::load(x + j, m);
}

template <class Q, bool SCALED>
void rows(size_t m, size_t k, const float* x, size_t x_stride, const float* g, uint8_t* q,
          size_t q_stride, const QuantParams* fixed, QuantParams* params) {
  constexpr size_t W = Q::kWidth;
  const size_t kc = qgemm_round_k(k);
  const size_t tail = k % W;
  const typename Q::Mask tail_mask = Q::mask(tail);
  for (size_t i0 = 0; i0 < m; i0 += kBlock) {
    const size_t rows = m - i0 < kBlock ? m - i0 : kBlock;
    float lo[kBlock] = {}, hi[kBlock] = {}, inv[kBlock];
    for (size_t r = 0; fixed == nullptr && r < rows; ++r) {
      const float* xi = x + (i0 + r) * x_stride;
      typename Q::V vlo = Q::set1(0.f), vhi = Q::set1(0.f);
      size_t j = 0;
      for (; j + W <= k; j += W) {
        const typename Q::V v = load_x<Q, SCALED>(xi, g, j);
        vlo = Q::min(vlo, v);
        vhi = Q::max(vhi, v);
      }
      if (tail) {
        const typename Q::V v = load_x<Q, SCALED>(xi, g, j, tail_mask);
        vlo = Q::min(vlo, v);
        vhi = Q::max(vhi, v);
      }
      lo[r] = Q::hmin(vlo);
      hi[r] = Q::hmax(vhi);
    }
    for (size_t r = 0; r < rows; ++r) params[i0 + r] = row_params(fixed, lo[r], hi[r], &inv[r]);
    for (size_t r = 0; r < rows; ++r) {
      const float* xi = x + (i0 + r) * x_stride;
      const typename Q::V vinv = Q::set1(inv[r]);
      const typename Q::V vzp = Q::set1(float(params[i0 + r].zero_point));
      uint8_t* qi = q + (i0 + r) * q_stride;
      size_t j = 0;
      for (; j + W <= k; j += W) {
        const typename Q::V v = load_x<Q, SCALED>(xi, g, j);
        Q::store_u8(qi + j, round_u8<Q>(Q::add(Q::mul(v, vinv), vzp)), W);
      }
      if (tail) {
        const typename Q::V v =
            Q::add(Q::mul(load_x<Q, SCALED>(xi, g, j, tail_mask), vinv), vzp);
        Q::store_u8(qi + j, round_u8<Q>(v), tail);
        j += tail;
      }
      for (; j < kc; ++j) qi[j] = 0;
    }
  }
}

template <class Q>
void run(size_t m, size_t k, const float* x, size_t x_stride, const float* col_scale,
         uint8_t* q, size_t q_stride, const QuantParams* fixed, QuantParams* params) {
  if (col_scale != nullptr) {
    rows<Q, true>(m, k, x, x_stride, col_scale, q, q_stride, fixed, params);
  } else {
    rows<Q, false>(m, k, x, x_stride, nullptr, q, q_stride, fixed, params);
  }
}

}  // namespace quantize_impl
}  // namespace
}  // namespace mc
