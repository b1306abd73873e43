// Temporal depthwise conv body shared by the SIMD ISA files, over a vector trait T
// (kernels/simd/*_vec.h) and the ring element type E (float, or uint16_t = bfloat16 through
// T::load_bf16 / store_bf16). Include ONLY from ISA files: everything has internal linkage.
//
// Streaming: 4 consecutive pixels x one channel block per step, so each weight load feeds 4
// FMAs and every frame is read once, front to back; the past frames are prefetched ahead
// (op_helpers::prefetch_past) and the current frame, if it has to go to the ring (cur_out), is
// stored there while in registers. Bias, activation and channel sum fused.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <type_traits>

#include "kernels/tconv/tconv.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace tconv_impl {

using op_helpers::ld;
using op_helpers::st;
using op_helpers::with_act;

// Ring elements as float vectors: float32 as is, bfloat16 widened / rounded.
template <class T, bool TAIL, class E>
inline typename T::V ld_ring(const E* p, const typename T::Tail& tl) {
  if constexpr (std::is_same_v<E, float>) {
    return ld<T, TAIL>(p, tl);
  } else if constexpr (TAIL) {
    return T::load_bf16_tail(p, tl);
  } else {
    return T::load_bf16(p);
  }
}

template <class T, bool TAIL, class E>
inline void st_ring(E* p, typename T::V v, const typename T::Tail& tl) {
  if constexpr (std::is_same_v<E, float>) {
    st<T, TAIL>(p, v, tl);
  } else if constexpr (TAIL) {
    T::store_bf16_tail(p, v, tl);
  } else {
    T::store_bf16(p, v);
  }
}

// NP (1 or 4) pixels starting at element offset off (= pixel * C + c), channels
// [c, c + width) (TAIL: the tail's lanes).
template <class T, int NP, bool TAIL, Act A, bool STORE, class E>
inline void block(size_t C, size_t kt, const E* const* past, const float* cur, E* cur_out,
                  const float* w, const float* bias, size_t off, size_t c,
                  const typename T::Tail& tl, float* out, float* channel_sum) {
  using V = typename T::V;
  V acc[NP];
  const V vb = ld<T, TAIL>(bias + c, tl);
  for (int k = 0; k < NP; ++k) acc[k] = vb;
  for (size_t t = 0; t + 1 < kt; ++t) {
    const V wt = ld<T, TAIL>(w + t * C + c, tl);
    const E* x = past[t] + off;
    for (int k = 0; k < NP; ++k) {
      acc[k] = T::fma(wt, ld_ring<T, TAIL>(x + size_t(k) * C, tl), acc[k]);
    }
  }
  const V wc = ld<T, TAIL>(w + (kt - 1) * C + c, tl);
  for (int k = 0; k < NP; ++k) {
    const V x = ld<T, TAIL>(cur + off + size_t(k) * C, tl);
    if constexpr (STORE) st_ring<T, TAIL>(cur_out + off + size_t(k) * C, x, tl);
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

template <class T, int NP, Act A, bool STORE, class E>
inline void pixels_step(size_t C, size_t kt, const E* const* past, const float* cur,
                        E* cur_out, const float* w, const float* bias, size_t p, float* out,
                        float* channel_sum) {
  const size_t W = T::kWidth, cfull = C - C % W;
  const typename T::Tail tl = T::tail(C - cfull);
  for (size_t c = 0; c < cfull; c += W) {
    block<T, NP, false, A, STORE>(C, kt, past, cur, cur_out, w, bias, p * C + c, c, tl, out,
                                  channel_sum);
  }
  if (cfull < C) {
    block<T, NP, true, A, STORE>(C, kt, past, cur, cur_out, w, bias, p * C + cfull, cfull, tl,
                                 out, channel_sum);
  }
}

template <class T, class E>
void tconv(size_t pixels, size_t C, size_t kt, const E* const* past, const float* cur,
           E* cur_out, const float* w, const float* bias, float* out, Act act,
           float* channel_sum) {
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  const size_t ahead = op_helpers::past_prefetch_pixels<E>(C);
  auto run = [&](auto act_tag, auto store_tag) {
    constexpr Act A = decltype(act_tag)::value;
    constexpr bool S = decltype(store_tag)::value;
    size_t p = 0;
    for (; p + 4 <= pixels; p += 4) {
      op_helpers::prefetch_past(past, kt - 1, C, p, 4, ahead, pixels);
      pixels_step<T, 4, A, S>(C, kt, past, cur, cur_out, w, bias, p, out, channel_sum);
    }
    for (; p < pixels; ++p) {
      pixels_step<T, 1, A, S>(C, kt, past, cur, cur_out, w, bias, p, out, channel_sum);
    }
  };
  with_act(act, [&](auto a) {
    if (cur_out != nullptr) {
      run(a, std::true_type{});
    } else {
      run(a, std::false_type{});
    }
  });
}

}  // namespace tconv_impl
}  // namespace
}  // namespace mc
