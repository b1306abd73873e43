// Temporal depthwise conv body shared by the SIMD ISA files (vector traits avx2::Vec,
// neon::Vec). Include ONLY from ISA files: everything has internal linkage.
//
// Streaming: 4 consecutive pixels x one channel block per step, so each weight load feeds 4
// FMAs and every frame is read once, front to back; the past frames (all but the newest, which
// the spatial conv just wrote) are prefetched ahead (op_helpers::prefetch_past). Bias,
// activation and channel sum fused.
#pragma once

#include <algorithm>
#include <cstddef>
#include <type_traits>

#include "kernels/tconv/tconv.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace tconv_impl {

using op_helpers::with_act;
using op_helpers::ld;
using op_helpers::st;

// NP (1 or 4) pixels starting at offset off (= pixel * C + c), channels [c, c + width).
template <class T, int NP, bool TAIL, Act A>
inline void block(size_t C, size_t kt, const float* const* frames, const float* w,
                  const float* bias, size_t off, size_t c, const typename T::Tail& tl,
                  float* out, float* channel_sum) {
  using V = typename T::V;
  V acc[NP];
  const V vb = ld<T, TAIL>(bias + c, tl);
  for (int k = 0; k < NP; ++k) acc[k] = vb;
  for (size_t t = 0; t < kt; ++t) {
    const V wt = ld<T, TAIL>(w + t * C + c, tl);
    const float* x = frames[t] + off;
    for (int k = 0; k < NP; ++k) acc[k] = T::fma(wt, ld<T, TAIL>(x + size_t(k) * C, tl), acc[k]);
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
inline void pixels_step(size_t C, size_t kt, const float* const* frames, const float* w,
                        const float* bias, size_t p, float* out, float* channel_sum) {
  const size_t W = T::kWidth, cfull = C - C % W;
  const typename T::Tail tl = T::tail(C - cfull);
  for (size_t c = 0; c < cfull; c += W) {
    block<T, NP, false, A>(C, kt, frames, w, bias, p * C + c, c, tl, out, channel_sum);
  }
  if (cfull < C) block<T, NP, true, A>(C, kt, frames, w, bias, p * C + cfull, cfull, tl, out,
                                       channel_sum);
}

template <class T>
void tconv(size_t pixels, size_t C, size_t kt, const float* const* frames, const float* w,
           const float* bias, float* out, Act act, float* channel_sum) {
  if (channel_sum != nullptr) std::fill(channel_sum, channel_sum + C, 0.f);
  with_act(act, [&](auto a) {
    constexpr Act A = decltype(a)::value;
    size_t p = 0;
    for (; p + 4 <= pixels; p += 4) {
      op_helpers::prefetch_past(frames, kt - 1, C, p, 4, pixels);
      pixels_step<T, 4, A>(C, kt, frames, w, bias, p, out, channel_sum);
    }
    for (; p < pixels; ++p) pixels_step<T, 1, A>(C, kt, frames, w, bias, p, out, channel_sum);
  });
}

}  // namespace tconv_impl
}  // namespace
}  // namespace mc
