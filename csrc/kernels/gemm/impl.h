// GEMM body shared by the SIMD ISA files, instantiated with a vector-traits type (avx2::Vec,
// avx512::Vec, neon::Vec), a row tile MR and a panel count NP. Include ONLY from ISA files:
// everything has internal linkage.
//
// Register tile: MR rows x NP packed panels (NP * kGemmNR columns, NV vectors per row), A by
// broadcast, one vector load per panel vector per k step. Wide tiles read NP panels side by
// side (NP weight streams) so every variant shares the one packed layout of gemm.h. Remainder
// rows use MR-1..1-row instances of the same tile; an odd last panel uses NP = 1. Small tiles
// split the k loop over extra accumulator sets so at least kMinAccumulators FMAs are in flight
// (2 FMA ports x 4 cycles latency). Column tail of the last panel: full vector math (panels are
// zero padded, so reading them whole is in bounds), tail stores and residual loads (masks or a
// stack buffer, whatever the traits do). Fused epilogue: bias (first panel row), act (a
// template constant), residual. Loop nest: rows in chunks whose A block fits L2, then panel
// groups, then row tiles, so the group's panels stay in L1 while applied to the whole chunk.
// While a group runs, its row tiles prefetch the next group's panels a share each: weights
// come from DRAM once per frame, and otherwise every group's first tile waits for them.
#pragma once

#include <algorithm>
#include <cstddef>

#include "kernels/gemm/gemm.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace gemm_impl {

constexpr size_t kChunkBytes = 192 * 1024;  // A rows processed per panel sweep (L2 budget)
constexpr size_t kMinAccumulators = 8;

constexpr size_t splits(size_t accumulators) {
  const size_t s = (kMinAccumulators + accumulators - 1) / accumulators;
  return s > 4 ? 4 : s;
}

// Rows [0, MR) of A times the NP panels at w (panel stride ps floats); nc <= NP * kGemmNR live
// columns.
template <class T, size_t MR, size_t NP, Act A>
__attribute__((always_inline)) inline void tile(size_t nc, size_t k, const float* a,
                                                size_t a_stride, const float* w, size_t ps,
                                                float* c, size_t c_stride, const float* r,
                                                size_t r_stride) {
  using V = typename T::V;
  constexpr size_t W = T::kWidth, PV = kGemmNR / W, NV = NP * PV;
  static_assert(kGemmNR % W == 0, "a panel is whole vectors");
  constexpr size_t S = splits(MR * NV);
  V acc[S][MR][NV];
  for (size_t v = 0; v < NV; ++v) {
    const V bias = T::load(w + (v / PV) * ps + (v % PV) * W);
    for (size_t i = 0; i < MR; ++i) acc[0][i][v] = bias;
    for (size_t s = 1; s < S; ++s) {
      for (size_t i = 0; i < MR; ++i) acc[s][i][v] = T::zero();
    }
  }
  w += kGemmNR;
  const float* ap[MR];
  for (size_t i = 0; i < MR; ++i) ap[i] = a + i * a_stride;
  auto step = [&](size_t s, size_t p, const float* wp) __attribute__((always_inline)) {
    V b[NV];
    for (size_t v = 0; v < NV; ++v) b[v] = T::load(wp + (v / PV) * ps + (v % PV) * W);
    for (size_t i = 0; i < MR; ++i) {
      const V va = T::bcast(ap[i] + p);
      for (size_t v = 0; v < NV; ++v) acc[s][i][v] = T::fma(va, b[v], acc[s][i][v]);
    }
  };
  size_t p = 0;
  if (S > 1) {
    for (; p + S <= k; p += S, w += S * kGemmNR) {
      for (size_t s = 0; s < S; ++s) step(s, p + s, w + s * kGemmNR);
    }
  }
  for (; p < k; ++p, w += kGemmNR) step(0, p, w);
  for (size_t s = 1; s < S; ++s) {
    for (size_t i = 0; i < MR; ++i) {
      for (size_t v = 0; v < NV; ++v) acc[0][i][v] = T::add(acc[0][i][v], acc[s][i][v]);
    }
  }
  if (nc == NP * kGemmNR) {
    for (size_t i = 0; i < MR; ++i) {
      for (size_t v = 0; v < NV; ++v) {
        V y = T::template act<A>(acc[0][i][v]);
        if (r != nullptr) y = T::add(y, T::load(r + i * r_stride + v * W));
        T::store(c + i * c_stride + v * W, y);
      }
    }
    return;
  }
  typename T::Tail tl[NV];
  for (size_t v = 0; v < NV; ++v) {
    const size_t live = nc > v * W ? nc - v * W : 0;
    tl[v] = T::tail(live < W ? live : W);
  }
  for (size_t i = 0; i < MR; ++i) {
    for (size_t v = 0; v < NV; ++v) {
      V y = T::template act<A>(acc[0][i][v]);
      if (r != nullptr) y = T::add(y, T::load_tail(r + i * r_stride + v * W, tl[v]));
      T::store_tail(c + i * c_stride + v * W, y, tl[v]);
    }
  }
}

// The R-row tile for the last rows of a chunk (rem < MR), chosen at run time.
template <class T, size_t R, size_t NP, Act A>
inline void remainder(size_t rem, size_t nc, size_t k, const float* a, size_t a_stride,
                      const float* w, size_t ps, float* c, size_t c_stride, const float* r,
                      size_t r_stride) {
  if constexpr (R > 0) {
    if (rem == R) return tile<T, R, NP, A>(nc, k, a, a_stride, w, ps, c, c_stride, r, r_stride);
    remainder<T, R - 1, NP, A>(rem, nc, k, a, a_stride, w, ps, c, c_stride, r, r_stride);
  }
}

// NP panels (nc live columns) applied to `rows` rows of A; the row tiles prefetch
// `next_floats` floats at `next` (the next group's panels; 0: none) between them.
template <class T, size_t MR, size_t NP, Act A>
void panel_rows(size_t rows, size_t nc, size_t k, const float* a, size_t a_stride,
                const float* w, size_t ps, float* c, size_t c_stride, const float* r,
                size_t r_stride, const float* next, size_t next_floats) {
  using op_helpers::kLineFloats;
  const size_t tiles = rows / MR > 0 ? rows / MR : 1;
  const size_t share = (next_floats / tiles / kLineFloats + 1) * kLineFloats;  // whole lines
  size_t sent = 0;
  size_t i = 0;
  for (; i + MR <= rows; i += MR) {
    const size_t now = std::min(share, next_floats - sent);
    op_helpers::prefetch_lines<false>(next + sent, now);
    sent += now;
    tile<T, MR, NP, A>(nc, k, a + i * a_stride, a_stride, w, ps, c + i * c_stride, c_stride,
                       r ? r + i * r_stride : nullptr, r_stride);
  }
  remainder<T, MR - 1, NP, A>(rows - i, nc, k, a + i * a_stride, a_stride, w, ps,
                              c + i * c_stride, c_stride, r ? r + i * r_stride : nullptr,
                              r_stride);
}

template <class T, size_t MR, size_t NP, Act A>
void run(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed,
         float* c, size_t c_stride, const float* r, size_t r_stride) {
  const size_t ps = kGemmNR * (k + 1);  // floats per packed panel
  constexpr size_t kGroup = NP * kGemmNR;
  size_t chunk = kChunkBytes / (k * sizeof(float)) / MR * MR;
  if (chunk < MR) chunk = MR;
  // Floats of the packed panels after column `j_next` (at most NP panels): what a group
  // prefetches for the next one.
  auto panels_after = [&](size_t j_next) {
    return j_next < n ? std::min(NP, (n - j_next + kGemmNR - 1) / kGemmNR) * ps : 0;
  };
  for (size_t i0 = 0; i0 < m; i0 += chunk) {
    const size_t rows = m - i0 < chunk ? m - i0 : chunk;
    const float* ai = a + i0 * a_stride;
    float* ci = c + i0 * c_stride;
    const float* ri = r ? r + i0 * r_stride : nullptr;
    const float* w = packed;
    size_t j = 0;
    for (; j + kGroup - kGemmNR < n; j += kGroup, w += NP * ps) {  // all NP panels have columns
      const size_t nc = n - j < kGroup ? n - j : kGroup;
      panel_rows<T, MR, NP, A>(rows, nc, k, ai, a_stride, w, ps, ci + j, c_stride,
                               ri ? ri + j : nullptr, r_stride, w + NP * ps,
                               panels_after(j + kGroup));
    }
    if constexpr (NP > 1) {
      for (; j < n; j += kGemmNR, w += ps) {  // fewer than NP panels left
        const size_t nc = n - j < kGemmNR ? n - j : kGemmNR;
        panel_rows<T, MR, 1, A>(rows, nc, k, ai, a_stride, w, ps, ci + j, c_stride,
                                ri ? ri + j : nullptr, r_stride, w + ps,
                                std::min(ps, panels_after(j + kGemmNR)));
      }
    }
  }
}

template <class T, size_t MR, size_t NP>
void gemm(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed_w,
          float* c, size_t c_stride, const float* residual, size_t r_stride, Act act) {
  op_helpers::with_act(act, [&](auto e) {
    run<T, MR, NP, decltype(e)::value>(m, n, k, a, a_stride, packed_w, c, c_stride, residual,
                                       r_stride);
  });
}

}  // namespace gemm_impl
}  // namespace
}  // namespace mc
