// Dense (stem) conv body shared by the SIMD ISA files (vector traits avx2/avx512/neon::Vec).
// Include ONLY from ISA files: everything has internal linkage.
//
// Vectorized over output channels: blocks of NV vectors (2 x width, last vector masked when
// out_c is not a multiple). Interior pixels go 4 at a time (8 for a single vector), so each
// weight vector load feeds 4 (8) FMAs against broadcast inputs; the (j, c) taps of a window row are contiguous in both input
// and weights. Border pixels clip their window. Bias and activation are fused.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "kernels/conv2d/conv2d.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace conv2d_impl {

using op_helpers::with_act;

// Vector v of a block of NV; with TAIL the last one is partial.
template <class T, int NV, bool TAIL>
inline typename T::V ldv(const float* p, int v, const typename T::Tail& t) {
  if (TAIL && v == NV - 1) return T::load_tail(p, t);
  return T::load(p);
}

template <class T, int NV, bool TAIL>
inline void stv(float* p, int v, typename T::V x, const typename T::Tail& t) {
  if (TAIL && v == NV - 1) {
    T::store_tail(p, x, t);
  } else {
    T::store(p, x);
  }
}

// NP pixels with full windows (interior, NP > 1) or one clipped pixel (NP == 1 may clip),
// output channels [o, o + NV*width) (last vector partial if TAIL).
template <class T, int NP, int NV, bool TAIL, Act A>
inline void pixels(const Conv2dParams& p, const float* in, const float* w, const float* bias,
                   ptrdiff_t iy0, ptrdiff_t ix0, size_t o, const typename T::Tail& tl,
                   float* out /* first pixel's output + o */) {
  using V = typename T::V;
  constexpr size_t kW = T::kWidth;
  const size_t IC = p.in_c, OC = p.out_c, sx = size_t(p.stride) * IC;
  const ptrdiff_t H = p.in_h, W = p.in_w, kh = p.kh, kw = p.kw;
  ptrdiff_t i_lo = 0, i_hi = kh, j_lo = 0, j_hi = kw;
  if (NP == 1) {
    i_lo = std::max<ptrdiff_t>(0, -iy0);
    i_hi = std::min<ptrdiff_t>(kh, H - iy0);
    j_lo = std::max<ptrdiff_t>(0, -ix0);
    j_hi = std::min<ptrdiff_t>(kw, W - ix0);
  }
  V acc[NP][NV];
  for (int v = 0; v < NV; ++v) {
    const V b = ldv<T, NV, TAIL>(bias + o + v * kW, v, tl);
    for (int k = 0; k < NP; ++k) acc[k][v] = b;
  }
  if (j_hi > j_lo) {
    const size_t n = size_t(j_hi - j_lo) * IC;
    for (ptrdiff_t i = i_lo; i < i_hi; ++i) {
      const float* x = in + size_t((iy0 + i) * W + ix0 + j_lo) * IC;
      const float* wr = w + size_t(i * kw + j_lo) * IC * OC + o;
      for (size_t q = 0; q < n; ++q, wr += OC) {
        V wv[NV];
        for (int v = 0; v < NV; ++v) wv[v] = ldv<T, NV, TAIL>(wr + v * kW, v, tl);
        for (int k = 0; k < NP; ++k) {
          const V xv = T::bcast(x + size_t(k) * sx + q);
          for (int v = 0; v < NV; ++v) acc[k][v] = T::fma(xv, wv[v], acc[k][v]);
        }
      }
    }
  }
  for (int k = 0; k < NP; ++k) {
    for (int v = 0; v < NV; ++v) {
      stv<T, NV, TAIL>(out + size_t(k) * OC + v * kW, v, T::template act<A>(acc[k][v]), tl);
    }
  }
}

template <class T, int NV, bool TAIL, Act A>
void row_block(const Conv2dParams& p, const float* in, const float* w, const float* bias,
               size_t oy, size_t o, const typename T::Tail& tl, float* out) {
  const ptrdiff_t S = p.stride, pl = p.pad_left;
  const size_t OC = p.out_c, out_w = p.out_w;
  const ptrdiff_t iy0 = ptrdiff_t(oy) * S - ptrdiff_t(p.pad_top);
  float* orow = out + oy * out_w * OC + o;
  size_t ox_lo = 0, ox_hi = 0;
  if (iy0 >= 0 && iy0 + ptrdiff_t(p.kh) <= ptrdiff_t(p.in_h) &&
      ptrdiff_t(p.in_w) + pl >= ptrdiff_t(p.kw)) {
    ox_lo = std::min<size_t>(size_t((pl + S - 1) / S), out_w);
    ox_hi = std::min<size_t>(size_t((ptrdiff_t(p.in_w) + pl - ptrdiff_t(p.kw)) / S) + 1, out_w);
    if (ox_hi < ox_lo) ox_hi = ox_lo;
  }
  size_t ox = 0;
  for (; ox < ox_lo; ++ox) {
    pixels<T, 1, NV, TAIL, A>(p, in, w, bias, iy0, ptrdiff_t(ox) * S - pl, o, tl, orow + ox * OC);
  }
  // Interior pixels in groups of NG: >= 8 accumulators in flight (FMA latency x 2 ports).
  constexpr int NG = NV == 1 ? 8 : 4;
  for (; ox + NG <= ox_hi; ox += NG) {
    pixels<T, NG, NV, TAIL, A>(p, in, w, bias, iy0, ptrdiff_t(ox) * S - pl, o, tl,
                               orow + ox * OC);
  }
  // The rest of the interior as one group ending at ox_hi (it recomputes and rewrites pixels
  // of the previous group with the same values): one pixel at a time is latency-bound.
  if (ox < ox_hi && ox_hi - ox_lo >= size_t(NG)) {
    const size_t last = ox_hi - NG;
    pixels<T, NG, NV, TAIL, A>(p, in, w, bias, iy0, ptrdiff_t(last) * S - pl, o, tl,
                               orow + last * OC);
    ox = ox_hi;
  }
  for (; ox < out_w; ++ox) {
    pixels<T, 1, NV, TAIL, A>(p, in, w, bias, iy0, ptrdiff_t(ox) * S - pl, o, tl, orow + ox * OC);
  }
}

template <class T, Act A>
void run(const Conv2dParams& p, const float* in, const float* w, const float* bias, float* out) {
  constexpr size_t kW = T::kWidth;
  const size_t OC = p.out_c;
  const size_t rem = OC % kW;
  const typename T::Tail tl = T::tail(rem);
  for (size_t oy = p.oy_begin; oy < p.oy_end; ++oy) {
    size_t o = 0;
    for (; o + 2 * kW <= OC; o += 2 * kW) row_block<T, 2, false, A>(p, in, w, bias, oy, o, tl, out);
    const size_t left = OC - o;  // < 2 * kW
    if (left == 0) continue;
    if (left > kW) {
      row_block<T, 2, true, A>(p, in, w, bias, oy, o, tl, out);
    } else if (left == kW) {
      row_block<T, 1, false, A>(p, in, w, bias, oy, o, tl, out);
    } else {
      row_block<T, 1, true, A>(p, in, w, bias, oy, o, tl, out);
    }
  }
}

template <class T>
void conv2d(const Conv2dParams* p, const float* in, const float* w, const float* bias,
            float* out) {
  with_act(p->act, [&](auto a) { run<T, decltype(a)::value>(*p, in, w, bias, out); });
}

}  // namespace conv2d_impl
}  // namespace
}  // namespace mc
