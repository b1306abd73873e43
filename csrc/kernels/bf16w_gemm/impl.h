// The bf16w_gemm body shared by the ISA files, over a float vector trait T (kernels/simd/*_vec.h
// or a 1-lane scalar one) with load_bf16(const uint16_t*) -> kWidth floats. Register
// tile: MR rows x one panel (PV = 16 / kWidth vectors per row), A by broadcast, S independent
// k chains so a single row (the classifier GEMV) still keeps several FMAs in flight. Loop nest:
// panels outer (each panel's weights stream through once per row tile), row tiles inner.
// Include ONLY from ISA files: everything has internal linkage.
#pragma once

#include "kernels/bf16w_gemm/bf16w_gemm.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace bf16w_impl {

constexpr size_t kMinChains = 8;  // FMAs in flight to cover latency x ports

template <class T, Act A, size_t MR>
inline void tile(size_t nc, size_t k, const float* a, size_t a_stride, const uint16_t* panel,
                 float* c, size_t c_stride) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth, PV = kBf16wNR / W;
  constexpr size_t S0 = (kMinChains + MR * PV - 1) / (MR * PV);
  constexpr size_t S = S0 > 4 ? 4 : S0;
  float bias[kBf16wNR];
  std::memcpy(bias, panel, sizeof bias);
  const uint16_t* w = panel + 2 * kBf16wNR;
  V acc[S][MR][PV];
  for (size_t s = 0; s < S; ++s) {
    for (size_t i = 0; i < MR; ++i) {
      for (size_t v = 0; v < PV; ++v) acc[s][i][v] = s == 0 ? T::load(bias + v * W) : T::zero();
    }
  }
  auto step = [&](size_t s, size_t p) __attribute__((always_inline)) {
    V b[PV];
    for (size_t v = 0; v < PV; ++v) b[v] = T::load_bf16(w + p * kBf16wNR + v * W);
    for (size_t i = 0; i < MR; ++i) {
      const V va = T::bcast(a + i * a_stride + p);
      for (size_t v = 0; v < PV; ++v) acc[s][i][v] = T::fma(va, b[v], acc[s][i][v]);
    }
  };
  size_t p = 0;
  for (; p + S <= k; p += S) {
    for (size_t s = 0; s < S; ++s) step(s, p + s);
  }
  for (; p < k; ++p) step(0, p);
  for (size_t i = 0; i < MR; ++i) {
    for (size_t v = 0; v < PV; ++v) {
      V y = acc[0][i][v];
      for (size_t s = 1; s < S; ++s) y = T::add(y, acc[s][i][v]);
      y = T::template act<A>(y);
      float* ci = c + i * c_stride + v * W;
      if (nc >= (v + 1) * W) {
        T::store(ci, y);
      } else if (nc > v * W) {
        T::store_tail(ci, y, T::tail(nc - v * W));
      }
    }
  }
}

template <class T, Act A, size_t MR>
void panel_rows(size_t rows, size_t nc, size_t k, const float* a, size_t a_stride,
                const uint16_t* panel, float* c, size_t c_stride) {
  size_t i = 0;
  for (; i + MR <= rows; i += MR) {
    tile<T, A, MR>(nc, k, a + i * a_stride, a_stride, panel, c + i * c_stride, c_stride);
  }
  if constexpr (MR > 1) {
    if (i < rows) {
      panel_rows<T, A, MR / 2>(rows - i, nc, k, a + i * a_stride, a_stride, panel,
                               c + i * c_stride, c_stride);
    }
  }
}

template <class T, size_t MR>
void run(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const uint16_t* packed,
         float* c, size_t c_stride, Act act) {
  op_helpers::with_act(act, [&](auto act_tag) {
    constexpr Act A = decltype(act_tag)::value;
    for (size_t j = 0; j < n; j += kBf16wNR, packed += bf16w_panel_elems(k)) {
      const size_t nc = n - j < kBf16wNR ? n - j : kBf16wNR;
      panel_rows<T, A, MR>(m, nc, k, a, a_stride, packed, c + j, c_stride);
    }
  });
}

}  // namespace bf16w_impl
}  // namespace
}  // namespace mc
