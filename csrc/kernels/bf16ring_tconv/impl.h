// The bf16ring_tconv body shared by the SIMD ISA files, over a vector trait T with
// load_bf16 / store_bf16 (kernels/simd/*_vec.h). Include ONLY from ISA files: everything has
// internal linkage.
//
// As the float tconv op: 4 consecutive pixels x one channel block per step, every frame read
// once front to back, the past frames prefetched ahead; the current frame is rounded into the
// ring while it is in registers.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "kernels/bf16ring_tconv/bf16ring_tconv.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace bf16ring_tconv_impl {

using op_helpers::ld;
using op_helpers::st;
using op_helpers::with_act;

template <class T, bool TAIL>
inline typename T::V ld16(const uint16_t* p, const typename T::Tail& tl) {
  if constexpr (TAIL) return T::load_bf16_tail(p, tl);
  return T::load_bf16(p);
}

template <class T, bool TAIL>
inline void st16(uint16_t* p, typename T::V v, const typename T::Tail& tl) {
  if constexpr (TAIL) return T::store_bf16_tail(p, v, tl);
  T::store_bf16(p, v);
}

// NP (1 or 4) pixels starting at element offset off (= pixel * C + c), channels
// [c, c + width) (TAIL: the tail's lanes).
template <class T, int NP, bool TAIL, Act A>
inline void block(size_t C, size_t kt, const uint16_t* const* past, const float* cur,
                  uint16_t* cur_out, const float* w, const float* bias, size_t off, size_t c,
                  const typename T::Tail& tl, float* out, float* channel_sum) {
  using V = typename T::V;
  V acc[NP];
  const V vb = ld<T, TAIL>(bias + c, tl);
  for (int k = 0; k < NP; ++k) acc[k] = vb;
  for (size_t t = 0; t + 1 < kt; ++t) {
    const V wt = ld<T, TAIL>(w + t * C + c, tl);
    const uint16_t* x = past[t] + off;
    for (int k = 0; k < NP; ++k) {
      acc[k] = T::fma(wt, ld16<T, TAIL>(x + size_t(k) * C, tl), acc[k]);
    }
  }
  const V wc = ld<T, TAIL>(w + (kt - 1) * C + c, tl);
  for (int k = 0; k < NP; ++k) {
    const V x = ld<T, TAIL>(cur + off + size_t(k) * C, tl);
    st16<T, TAIL>(cur_out + off + size_t(k) * C, x, tl);
    acc[k] = T::fma(wc, x, acc[k]);
  }
  V s = T::zero();
  for (int k = 0; k < NP; ++k) {
    acc[k] = T::template act<A>(acc[k]);
    st<T, TAIL>(out + off + size_t(k) * C, acc[k], tl);
    s = T::add(s, acc[k]);
  }
  if (channel_sum != nullptr) {
    st<T, TAIL>(channel_sum + c, T::add(ld<T, TAIL>(channel_sum + c, tl), s), tl);
  }
}

template <class T, int NP, Act A>
inline void pixels_step(size_t C, size_t kt, const uint16_t* const* past, const float* cur,
                        uint16_t* cur_out, const float* w, const float* bias, size_t p,
                        float* out, float* channel_sum) {
  const size_t W = T::kWidth, cfull = C - C % W;
  const typename T::Tail tl = T::tail(C - cfull);
  for (size_t c = 0; c < cfull; c += W) {
    block<T, NP, false, A>(C, kt, past, cur, cur_out, w, bias, p * C + c, c, tl, out,
                           channel_sum);
  }
  if (cfull < C) {
    block<T, NP, true, A>(C, kt, past, cur, cur_out, w, bias, p * C + cfull, cfull, tl, out,
                          channel_sum);
  }
}

template <class T>
void run(size_t pixels, size_t C, size_t kt, const uint16_t* const* past, const float* cur,
         uint16_t* cur_out, const float* w, const float* bias, float* out, Act act,
         float* channel_sum) {
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  with_act(act, [&](auto a) {
    constexpr Act A = decltype(a)::value;
    size_t p = 0;
    for (; p + 4 <= pixels; p += 4) {
      op_helpers::prefetch_past(past, kt - 1, C, p, 4, pixels);
      pixels_step<T, 4, A>(C, kt, past, cur, cur_out, w, bias, p, out, channel_sum);
    }
    for (; p < pixels; ++p) {
      pixels_step<T, 1, A>(C, kt, past, cur, cur_out, w, bias, p, out, channel_sum);
    }
  });
}

}  // namespace bf16ring_tconv_impl
}  // namespace
}  // namespace mc
