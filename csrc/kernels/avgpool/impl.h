// Average pool body shared by the SIMD ISA files (vector traits avx2::Vec, neon::Vec).
// Include ONLY from ISA files: everything has internal linkage.
//
// Per output pixel, channel blocks of 2 vectors (then 1, then a masked/buffered tail). Interior
// pixels of rows with a full window sum a compile-time 3x3 (or runtime kh x kw) window times
// 1/(kh*kw); border pixels clip the window and divide by the exact number of valid cells.
#pragma once

#include <algorithm>
#include <cstddef>

#include "kernels/avgpool/avgpool.h"

namespace mc {
namespace {
namespace avgpool_impl {

// Sum of the window rows [i_lo, i_hi) x cols [0, nj) at x (window origin of the valid part),
// NV vectors of channels starting at x (last one partial if TAIL), times inv.
template <class T, int KH, int KW, int NV, bool TAIL>
inline void window(const float* x, size_t rs, size_t C, ptrdiff_t nh, ptrdiff_t nj,
                   typename T::V inv, const typename T::Tail& tl, float* o) {
  using V = typename T::V;
  constexpr size_t kW = T::kWidth;
  V acc[NV];
  for (int v = 0; v < NV; ++v) acc[v] = T::zero();
  const ptrdiff_t h = KH > 0 ? KH : nh, wd = KW > 0 ? KW : nj;
  for (ptrdiff_t i = 0; i < h; ++i) {
    const float* r = x + size_t(i) * rs;
    for (ptrdiff_t j = 0; j < wd; ++j, r += C) {
      for (int v = 0; v < NV; ++v) {
        const V xv = (TAIL && v == NV - 1) ? T::load_tail(r + v * kW, tl) : T::load(r + v * kW);
        acc[v] = T::add(acc[v], xv);
      }
    }
  }
  for (int v = 0; v < NV; ++v) {
    const V y = T::mul(acc[v], inv);
    if (TAIL && v == NV - 1) {
      T::store_tail(o + v * kW, y, tl);
    } else {
      T::store(o + v * kW, y);
    }
  }
}

template <class T, int KH, int KW>
inline void pixel(const float* x, size_t rs, size_t C, ptrdiff_t nh, ptrdiff_t nj, float inv_s,
                  const typename T::Tail& tl, float* o) {
  constexpr size_t kW = T::kWidth;
  const typename T::V inv = T::set1(inv_s);
  size_t c = 0;
  for (; c + 2 * kW <= C; c += 2 * kW) window<T, KH, KW, 2, false>(x + c, rs, C, nh, nj, inv, tl, o + c);
  if (c + kW <= C) {
    window<T, KH, KW, 1, false>(x + c, rs, C, nh, nj, inv, tl, o + c);
    c += kW;
  }
  if (c < C) window<T, KH, KW, 1, true>(x + c, rs, C, nh, nj, inv, tl, o + c);
}

template <class T, int KH, int KW>
void run(const AvgPoolParams& p, const float* in, float* out) {
  const size_t C = p.channels, rs = size_t(p.in_w) * C, out_w = p.out_w;
  const ptrdiff_t S = p.stride, pl = p.pad_left, H = p.in_h, W = p.in_w;
  const ptrdiff_t kh = p.kh, kw = p.kw;
  const typename T::Tail tl = T::tail(C % T::kWidth);
  const float inv_full = 1.f / float(kh * kw);
  for (size_t oy = p.oy_begin; oy < p.oy_end; ++oy) {
    const ptrdiff_t iy0 = ptrdiff_t(oy) * S - ptrdiff_t(p.pad_top);
    const ptrdiff_t i_lo = std::max<ptrdiff_t>(0, -iy0), i_hi = std::min<ptrdiff_t>(kh, H - iy0);
    const ptrdiff_t nh = std::max<ptrdiff_t>(0, i_hi - i_lo);
    const bool full_rows = nh == kh;
    float* orow = out + oy * out_w * C;
    for (size_t ox = 0; ox < out_w; ++ox) {
      const ptrdiff_t ix0 = ptrdiff_t(ox) * S - pl;
      const ptrdiff_t j_lo = std::max<ptrdiff_t>(0, -ix0), j_hi = std::min<ptrdiff_t>(kw, W - ix0);
      const ptrdiff_t nj = std::max<ptrdiff_t>(0, j_hi - j_lo);
      float* o = orow + ox * C;
      if (nh * nj == 0) {
        std::fill(o, o + C, 0.f);
        continue;
      }
      const float* x = in + size_t((iy0 + i_lo) * W + ix0 + j_lo) * C;
      if (KH > 0 && full_rows && nj == kw) {
        pixel<T, KH, KW>(x, rs, C, nh, nj, inv_full, tl, o);
      } else {
        pixel<T, 0, 0>(x, rs, C, nh, nj, 1.f / float(nh * nj), tl, o);
      }
    }
  }
}

template <class T>
void avgpool(const AvgPoolParams* p, const float* in, float* out) {
  if (p->kh == 3 && p->kw == 3) {
    run<T, 3, 3>(*p, in, out);
  } else {
    run<T, 0, 0>(*p, in, out);
  }
}

}  // namespace avgpool_impl
}  // namespace
}  // namespace mc
