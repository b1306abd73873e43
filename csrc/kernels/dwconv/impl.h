// Depthwise conv body shared by the SIMD ISA files, instantiated with a vector-traits type
// (avx2::Vec, avx512::Vec, neon::Vec). Include ONLY from ISA files: everything has internal linkage.
//
// Loop order: output row -> channel block of T::kWidth (last one partial: masked/tail loads)
// -> output pixels. Border columns (window partly left/right of the frame) take the
// bounds-checked path; the other columns take a tap-unrolled path (window rows clipped per
// output row, so top/bottom rows stay fast; kh x kw
// known at compile time: 1x1, 3x3, 5x5) that computes P pixels at once (the ISA file's choice:
// P accumulators hide the FMA latency once P >= 8, but P + 9 weights must fit the vector
// registers) so every weight load is shared by P FMAs; for a single frame with <= 9 taps the
// weights stay in registers across the whole row. Bias, activation and the channel sum are fused.
// Small frames of one input frame instead go channel block -> zero-padded tile -> rows, with
// every pixel on the unrolled path (padded_block).
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "kernels/dwconv/dwconv.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace dwconv_impl {

using op_helpers::with_act;
using op_helpers::ld;
using op_helpers::st;
using op_helpers::prefetch_lines;

constexpr size_t kMaxFrames = 16;  // interior path; more frames use the border path only


// Non-null frames with their weight slices (oldest first).
struct Frames {
  size_t n;
  const float* frame[kMaxFrames];
  const float* weight[kMaxFrames];
};

// One output pixel, channels [c, c + width), window clipped to the frame.
template <class T, bool TAIL, Act A>
inline typename T::V border_pixel(const DwConvParams& p, const float* const* frames,
                                  const float* w, ptrdiff_t iy0, ptrdiff_t ix0, size_t c,
                                  typename T::V vb, const typename T::Tail& tl) {
  const ptrdiff_t kh = p.kh, kw = p.kw, H = p.in_h, W = p.in_w;
  const size_t C = p.channels;
  const ptrdiff_t i_lo = std::max<ptrdiff_t>(0, -iy0), i_hi = std::min<ptrdiff_t>(kh, H - iy0);
  const ptrdiff_t j_lo = std::max<ptrdiff_t>(0, -ix0), j_hi = std::min<ptrdiff_t>(kw, W - ix0);
  typename T::V acc = vb;
  for (size_t t = 0; t < p.kt; ++t) {
    if (frames[t] == nullptr) continue;
    for (ptrdiff_t i = i_lo; i < i_hi; ++i) {
      const float* x = frames[t] + size_t((iy0 + i) * W + ix0 + j_lo) * C + c;
      const float* wr = w + size_t((ptrdiff_t(t) * kh + i) * kw + j_lo) * C + c;
      for (ptrdiff_t j = j_lo; j < j_hi; ++j, x += C, wr += C) {
        acc = T::fma(ld<T, TAIL>(wr, tl), ld<T, TAIL>(x, tl), acc);
      }
    }
  }
  return T::template act<A>(acc);
}

// P pixels (stride ps apart) from `b` (window row i_lo, column 0), taps of frame weights wt
// (tap stride C); input rows are rs floats apart, pixels C (TILE: T::kWidth, the padded tile).
// WREG: the weights are the registers wv (single frame, <= 9 taps).
template <class T, int KH, int KW, bool TAIL, size_t P, bool WREG, bool TILE>
inline void accumulate(const float* b, size_t ps, size_t rs, size_t C, int i_lo, int i_hi,
                       const float* wt, const typename T::V* wv, const typename T::Tail& tl,
                       typename T::V* acc) {
  using V = typename T::V;
  const size_t xs = TILE ? T::kWidth : C;
  for (int i = 0; i < KH; ++i) {
    if (i < i_lo || i >= i_hi) continue;
    for (int j = 0; j < KW; ++j) {
      const float* q = b + size_t(i - i_lo) * rs + size_t(j) * xs;
      const V wk = WREG ? wv[i * KW + j] : ld<T, TAIL>(wt + size_t(i * KW + j) * C, tl);
      for (size_t k = 0; k < P; ++k) acc[k] = T::fma(wk, ld<T, TAIL>(q + k * ps, tl), acc[k]);
    }
  }
}

// Input geometry of the interior path: pixel step of one output pixel (ps) and input row
// stride (rs) in floats, and the channel count C (weight tap and output pixel stride).
struct Strides {
  size_t ps, rs, C;
};

// P pixels: accumulate every frame, then act, store and add to the channel sum; only the
// first `live` pixels are stored and summed (the padded tile's last group of a row).
template <class T, int KH, int KW, bool TAIL, Act A, size_t P, bool WREG, bool TILE = false>
inline void pixels(const Frames& f, size_t base, Strides g, int i_lo, int i_hi, size_t c,
                   typename T::V vb, const typename T::V* wv, const typename T::Tail& tl,
                   float* o, typename T::V& vsum, size_t live = P) {
  using V = typename T::V;
  V acc[P];
  for (size_t k = 0; k < P; ++k) acc[k] = vb;
  for (size_t t = 0; t < (WREG ? 1 : f.n); ++t) {
    accumulate<T, KH, KW, TAIL, P, WREG, TILE>(f.frame[t] + base, g.ps, g.rs, g.C, i_lo, i_hi,
                                               f.weight[t] + c, wv, tl, acc);
  }
  for (size_t k = 0; k < P; ++k) acc[k] = T::template act<A>(acc[k]);
  if (live == P) {
    for (size_t k = 0; k < P; ++k) st<T, TAIL>(o + k * g.C, acc[k], tl);
    for (size_t k = 0; k < P; ++k) vsum = T::add(vsum, acc[k]);
    return;
  }
  for (size_t k = 0; k < live; ++k) {
    st<T, TAIL>(o + k * g.C, acc[k], tl);
    vsum = T::add(vsum, acc[k]);
  }
}

// Groups of P pixels while they last, then one group each of P/2, P/4, ..., 1 for the rest
// of the row: a lone pixel is a chain of dependent FMAs (latency-bound), so the last pixels of
// a row go several at a time (a 32-wide 3x3 row: 24 + 4 + 2 instead of 24 + six single ones).
template <class T, size_t P, int KH, int KW, bool TAIL, Act A, bool WREG>
inline void pixel_groups(const Frames& f, Strides g, size_t& base, int i_lo, int i_hi, size_t& x,
                         size_t n, size_t c, typename T::V vb, const typename T::V* wv,
                         const typename T::Tail& tl, float*& o, typename T::V& vsum) {
  for (; x + P <= n; x += P, base += P * g.ps, o += P * g.C) {
    pixels<T, KH, KW, TAIL, A, P, WREG>(f, base, g, i_lo, i_hi, c, vb, wv, tl, o, vsum);
  }
  if constexpr (P > 1) {
    pixel_groups<T, P / 2, KH, KW, TAIL, A, WREG>(f, g, base, i_lo, i_hi, x, n, c, vb, wv, tl,
                                                  o, vsum);
  }
}

// n consecutive pixels of one row whose window columns are inside the input; only window rows
// [i_lo, i_hi) are inside. Channels [c, c + width). base: offset of the first pixel's window
// row i_lo, column 0 in every frame; o: its output.
template <class T, size_t P, int KH, int KW, bool TAIL, Act A>
inline void interior(const Frames& f, Strides g, size_t base, int i_lo, int i_hi, size_t n,
                     size_t c, typename T::V vb, const typename T::Tail& tl, float* o,
                     typename T::V& vsum) {
  using V = typename T::V;
  const size_t C = g.C;
  size_t x = 0;
  if (f.n == 1 && KH * KW <= 9) {
    V wv[KH * KW];
    for (int k = 0; k < KH * KW; ++k) wv[k] = ld<T, TAIL>(f.weight[0] + size_t(k) * C + c, tl);
    pixel_groups<T, P, KH, KW, TAIL, A, true>(f, g, base, i_lo, i_hi, x, n, c, vb, wv, tl, o,
                                              vsum);
    return;
  }
  pixel_groups<T, P, KH, KW, TAIL, A, false>(f, g, base, i_lo, i_hi, x, n, c, vb, nullptr, tl, o,
                                             vsum);
}

// One output row, channels [c, c + width). KH = KW = 0: no unrolled interior (any kernel).
template <class T, size_t P, int KH, int KW, bool TAIL, Act A>
void row(const DwConvParams& p, const float* const* frames, const Frames& f, const float* w,
         const float* bias, size_t oy, size_t c, const typename T::Tail& tl, float* out,
         float* channel_sum) {
  using V = typename T::V;
  const size_t C = p.channels, out_w = p.out_w;
  const ptrdiff_t S = p.stride, pl = p.pad_left;
  const ptrdiff_t iy0 = ptrdiff_t(oy) * S - ptrdiff_t(p.pad_top);
  const V vb = ld<T, TAIL>(bias + c, tl);
  V vsum = T::zero();
  float* o = out + oy * out_w * C + c;
  // valid window rows (top/bottom rows clip them; the interior columns still run unrolled)
  const ptrdiff_t i_lo = std::max<ptrdiff_t>(0, -iy0);
  const ptrdiff_t i_hi = std::min<ptrdiff_t>(KH, ptrdiff_t(p.in_h) - iy0);
  size_t ox_lo = 0, ox_hi = 0;  // interior columns
  if (KH > 0 && p.kt <= kMaxFrames && i_hi > i_lo && ptrdiff_t(p.in_w) + pl >= KW) {
    ox_lo = std::min<size_t>(size_t((pl + S - 1) / S), out_w);
    ox_hi = std::min<size_t>(size_t((ptrdiff_t(p.in_w) + pl - KW) / S) + 1, out_w);
    if (ox_hi < ox_lo) ox_hi = ox_lo;
  }
  for (size_t ox = 0; ox < ox_lo; ++ox) {
    const V v = border_pixel<T, TAIL, A>(p, frames, w, iy0, ptrdiff_t(ox) * S - pl, c, vb, tl);
    st<T, TAIL>(o + ox * C, v, tl);
    vsum = T::add(vsum, v);
  }
  if (ox_hi > ox_lo) {
    const size_t base =
        (size_t(iy0 + i_lo) * p.in_w + size_t(ptrdiff_t(ox_lo) * S - pl)) * C + c;
    const Strides g{size_t(S) * C, size_t(p.in_w) * C, C};
    interior<T, P, (KH > 0 ? KH : 1), (KW > 0 ? KW : 1), TAIL, A>(
        f, g, base, int(i_lo), int(i_hi), ox_hi - ox_lo, c, vb, tl, o + ox_lo * C, vsum);
  }
  for (size_t ox = ox_hi; ox < out_w; ++ox) {
    const V v = border_pixel<T, TAIL, A>(p, frames, w, iy0, ptrdiff_t(ox) * S - pl, c, vb, tl);
    st<T, TAIL>(o + ox * C, v, tl);
    vsum = T::add(vsum, v);
  }
  if (channel_sum != nullptr) {
    st<T, TAIL>(channel_sum + c, T::add(ld<T, TAIL>(channel_sum + c, tl), vsum), tl);
  }
}

// Small frames (6x6 or 11x11 with 3x3/5x5 windows): most output pixels have windows that
// leave the frame and would take the slow bounds-checked path. When the input rows of the
// requested output rows fit kTilePixels, each channel block is copied into a zero-padded tile
// (W lanes per pixel, on the stack) and every output pixel takes the unrolled path.
constexpr size_t kTilePixels = 400;

// Tile of th x tw pixels: input rows from oy_begin * stride - pad_top, columns from -pad_left;
// tw covers whole groups of P output pixels, so no row ends in single-pixel (latency-bound)
// steps.
template <class T, size_t P, int KH, int KW, bool TAIL, Act A>
void padded_block(const DwConvParams& p, const Frames& f, size_t th, size_t tw,
                  const float* bias, size_t c, const typename T::Tail& tl, float* tile,
                  float* out, float* channel_sum) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth;
  const size_t C = p.channels, S = p.stride;
  const ptrdiff_t y0 = ptrdiff_t(p.oy_begin) * ptrdiff_t(S) - ptrdiff_t(p.pad_top);
  const ptrdiff_t x0 = -ptrdiff_t(p.pad_left), H = p.in_h, Wd = p.in_w;
  for (size_t r = 0; r < th; ++r) {
    const ptrdiff_t iy = y0 + ptrdiff_t(r);
    float* dst = tile + r * tw * W;
    if (iy < 0 || iy >= H) {
      for (size_t q = 0; q < tw; ++q) T::store(dst + q * W, T::zero());
      continue;
    }
    const float* src = f.frame[0] + size_t(iy * Wd) * C + c;
    for (size_t q = 0; q < tw; ++q) {
      const ptrdiff_t ix = x0 + ptrdiff_t(q);
      const bool inside = ix >= 0 && ix < Wd;
      T::store(dst + q * W, inside ? ld<T, TAIL>(src + size_t(inside ? ix : 0) * C, tl)
                                   : T::zero());
    }
  }
  Frames tf;
  tf.n = 1;
  tf.frame[0] = tile;
  tf.weight[0] = f.weight[0];
  const Strides g{S * W, tw * W, C};
  const V vb = ld<T, TAIL>(bias + c, tl);
  V vsum = T::zero();
  // Whole groups of P pixels (the tile is wide enough); the last one stores its live pixels.
  auto rows = [&](auto wreg, const V* wv) {
    for (size_t oy = p.oy_begin; oy < p.oy_end; ++oy) {
      size_t base = (oy - p.oy_begin) * S * tw * W;
      float* o = out + oy * p.out_w * C + c;
      for (size_t x = 0; x < p.out_w; x += P, base += P * S * W, o += P * C) {
        const size_t live = p.out_w - x < P ? p.out_w - x : P;
        pixels<T, KH, KW, TAIL, A, P, decltype(wreg)::value, true>(tf, base, g, 0, KH, c, vb,
                                                                   wv, tl, o, vsum, live);
      }
    }
  };
  if constexpr (KH * KW <= 9) {
    V wv[KH * KW];
    for (int k = 0; k < KH * KW; ++k) wv[k] = ld<T, TAIL>(f.weight[0] + size_t(k) * C + c, tl);
    rows(std::true_type{}, wv);
  } else {
    rows(std::false_type{}, nullptr);
  }
  if (channel_sum != nullptr) {
    st<T, TAIL>(channel_sum + c, T::add(ld<T, TAIL>(channel_sum + c, tl), vsum), tl);
  }
}

template <class T, size_t P, int KH, int KW, Act A>
void run_shape(const DwConvParams& p, const float* const* frames, const Frames& f,
               const float* w, const float* bias, float* out, float* channel_sum) {
  const size_t C = p.channels, W = T::kWidth, cfull = C - C % W;
  const typename T::Tail tl = T::tail(C - cfull);
  if constexpr (KH > 0) {
    const size_t rows = p.oy_end - p.oy_begin;
    const size_t th = rows > 0 ? (rows - 1) * p.stride + KH : 0;
    const size_t groups = (size_t(p.out_w) + P - 1) / P;
    const size_t tw = (groups * P - 1) * p.stride + KW;
    if (f.n == 1 && rows > 0 && th * tw <= kTilePixels) {
      alignas(64) float tile[kTilePixels * T::kWidth];
      for (size_t c = 0; c < cfull; c += W) {
        padded_block<T, P, KH, KW, false, A>(p, f, th, tw, bias, c, tl, tile, out, channel_sum);
      }
      if (cfull < C) {
        padded_block<T, P, KH, KW, true, A>(p, f, th, tw, bias, cfull, tl, tile, out,
                                            channel_sum);
      }
      return;
    }
  }
  const size_t row_floats = size_t(p.out_w) * C;
  for (size_t oy = p.oy_begin; oy < p.oy_end; ++oy) {
    // the next output row, for writing (often a ring slot last written frames ago)
    if (oy + 1 < p.oy_end) prefetch_lines<true>(out + (oy + 1) * row_floats, row_floats);
    for (size_t c = 0; c < cfull; c += W) {
      row<T, P, KH, KW, false, A>(p, frames, f, w, bias, oy, c, tl, out, channel_sum);
    }
    if (cfull < C) {
      row<T, P, KH, KW, true, A>(p, frames, f, w, bias, oy, cfull, tl, out, channel_sum);
    }
  }
}

// P: pixels per interior step.
template <class T, size_t P>
void dwconv(const DwConvParams* pp, const float* const* frames, const float* w,
            const float* bias, float* out, float* channel_sum) {
  const DwConvParams& p = *pp;
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + p.channels, 0.f);
  Frames f;
  f.n = 0;
  const size_t taps = size_t(p.kh) * p.kw * p.channels;
  for (size_t t = 0; t < p.kt && t < kMaxFrames; ++t) {
    if (frames[t] == nullptr) continue;
    f.frame[f.n] = frames[t];
    f.weight[f.n] = w + t * taps;
    ++f.n;
  }
  with_act(p.act, [&](auto a) {
    constexpr Act A = decltype(a)::value;
    if (p.kh == 3 && p.kw == 3) {
      run_shape<T, P, 3, 3, A>(p, frames, f, w, bias, out, channel_sum);
    } else if (p.kh == 5 && p.kw == 5) {
      run_shape<T, P, 5, 5, A>(p, frames, f, w, bias, out, channel_sum);
    } else if (p.kh == 1 && p.kw == 1) {
      run_shape<T, P, 1, 1, A>(p, frames, f, w, bias, out, channel_sum);
    } else {
      run_shape<T, P, 0, 0, A>(p, frames, f, w, bias, out, channel_sum);
    }
  });
}

}  // namespace dwconv_impl
}  // namespace
}  // namespace mc
