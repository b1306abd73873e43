// The qgemm body shared by every ISA file, written once over two traits:
//   D (integer dot product): Acc (int32 accumulators of the 16 panel columns), W (one c4 row
//     group of the panel: 16 columns x 4 k), Av (4 bytes of one A row, broadcast), and
//     zero(Acc&), load_w(const int8_t*), load_a(const uint8_t*), dot(Acc&, Av, const W&),
//     reduce(const Acc&, const int32_t* colsum, int32_t zp, int32_t out[16])
//       -> sum_p A[i][p] * W[p][j] - zp * colsum[j] (exact int32, the row's zero point removed);
//   V (float vector traits of kernels/simd/*_vec.h, or a 1-lane scalar one) for the epilogue.
// Loop nest as in the float gemm: row chunks whose A block fits L2, then panels, then row tiles
// (one panel stays in L1 while it meets every tile of the chunk). ISA files include this
// header only (internal linkage).
#pragma once

#include <cstring>

#include "kernels/qgemm/qgemm.h"
#include "kernels/simd/op_helpers.h"

namespace mc {
namespace {
namespace qgemm_impl {

constexpr size_t kChunkBytes = 192 * 1024;
constexpr size_t kGroupBytes = kQGemmNR * kQGemmKR;  // one c4 row group of a panel

// Epilogue of one row (acc: exact sums with the row's zero point removed by D::reduce), in the
// float order of qgemm.h.
template <class V, Act A>
inline void epilogue_row(const int32_t* acc, const QuantParams& q, const float* sw,
                         const float* bias, size_t nc, float* c, const float* r) {
  float t[kQGemmNR];
  for (size_t j = 0; j < kQGemmNR; ++j) t[j] = float(acc[j]) * q.scale;
  size_t j = 0;
  for (; j + V::kWidth <= nc; j += V::kWidth) {
    typename V::V v = V::add(V::mul(V::load(t + j), V::load(sw + j)), V::load(bias + j));
    v = V::template act<A>(v);
    if (r != nullptr) v = V::add(v, V::load(r + j));
    V::store(c + j, v);
  }
  if (j < nc) {
    const typename V::Tail tail = V::tail(nc - j);
    typename V::V v = V::add(V::mul(V::load(t + j), V::load(sw + j)), V::load(bias + j));
    v = V::template act<A>(v);
    if (r != nullptr) v = V::add(v, V::load_tail(r + j, tail));
    V::store_tail(c + j, v, tail);
  }
}

// MR rows x NP panels (side by side, `panel_bytes` apart; nc live columns in all): one
// weight load per panel and one A broadcast per row per k group, MR * NP accumulators.
template <class D, class V, Act A, size_t MR, size_t NP>
inline void tile(size_t nc, size_t groups, const uint8_t* a, size_t a_stride,
                 const QuantParams* qa, const uint8_t* panel, size_t panel_bytes, float* c,
                 size_t c_stride, const float* r, size_t r_stride) {
  typename D::Acc acc[MR][NP];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t p = 0; p < NP; ++p) D::zero(acc[i][p]);
  }
  const int8_t* w = reinterpret_cast<const int8_t*>(panel + 3 * kQGemmNR * sizeof(float));
  for (size_t g = 0; g < groups; ++g, w += kGroupBytes) {
    typename D::W wv[NP];
    for (size_t p = 0; p < NP; ++p) wv[p] = D::load_w(w + p * panel_bytes);
    for (size_t i = 0; i < MR; ++i) {
      const typename D::Av av = D::load_a(a + i * a_stride + g * kQGemmKR);
      for (size_t p = 0; p < NP; ++p) D::dot(acc[i][p], av, wv[p]);
    }
  }
  for (size_t p = 0; p < NP && p * kQGemmNR < nc; ++p) {
    const uint8_t* pp = panel + p * panel_bytes;
    int32_t colsum[kQGemmNR];
    float sw[kQGemmNR], bias[kQGemmNR];
    std::memcpy(colsum, pp, sizeof colsum);
    std::memcpy(sw, pp + sizeof colsum, sizeof sw);
    std::memcpy(bias, pp + sizeof colsum + sizeof sw, sizeof bias);
    const size_t live = nc - p * kQGemmNR < kQGemmNR ? nc - p * kQGemmNR : kQGemmNR;
    for (size_t i = 0; i < MR; ++i) {
      int32_t out[kQGemmNR];
      D::reduce(acc[i][p], colsum, qa[i].zero_point, out);
      epilogue_row<V, A>(out, qa[i], sw, bias, live, c + i * c_stride + p * kQGemmNR,
                         r != nullptr ? r + i * r_stride + p * kQGemmNR : nullptr);
    }
  }
}

// NP panels applied to `rows` rows: full MR tiles, then one smaller specialisation.
template <class D, class V, Act A, size_t MR, size_t NP>
void panel_rows(size_t rows, size_t nc, size_t groups, const uint8_t* a, size_t a_stride,
                const QuantParams* qa, const uint8_t* panel, size_t panel_bytes, float* c,
                size_t c_stride, const float* r, size_t r_stride) {
  size_t i = 0;
  for (; i + MR <= rows; i += MR) {
    tile<D, V, A, MR, NP>(nc, groups, a + i * a_stride, a_stride, qa + i, panel, panel_bytes,
                          c + i * c_stride, c_stride, r ? r + i * r_stride : nullptr, r_stride);
  }
  if constexpr (MR > 1) {
    if (i < rows) {
      panel_rows<D, V, A, (MR > 1 ? MR / 2 : 1), NP>(
          rows - i, nc, groups, a + i * a_stride, a_stride, qa + i, panel, panel_bytes,
          c + i * c_stride, c_stride, r ? r + i * r_stride : nullptr, r_stride);
    }
  }
}

// NP = panels per register tile (a lone last panel uses NP = 1).
template <class D, class V, size_t MR, size_t NP = 1>
void run(size_t m, size_t n, size_t k, const uint8_t* a, size_t a_stride, const QuantParams* qa,
         const void* packed, float* c, size_t c_stride, const float* r, size_t r_stride,
         Act act) {
  op_helpers::with_act(act, [&](auto act_tag) {
    constexpr Act A = decltype(act_tag)::value;
    constexpr size_t kCols = NP * kQGemmNR;
    const size_t groups = qgemm_round_k(k) / kQGemmKR;
    const size_t panel_bytes = qgemm_panel_bytes(k);
    size_t chunk = kChunkBytes / qgemm_round_k(k) / MR * MR;
    if (chunk < MR) chunk = MR;
    for (size_t i0 = 0; i0 < m; i0 += chunk) {
      const size_t rows = m - i0 < chunk ? m - i0 : chunk;
      const uint8_t* panel = static_cast<const uint8_t*>(packed);
      size_t j = 0;
      for (; j + kCols - kQGemmNR < n; j += kCols, panel += NP * panel_bytes) {  // NP live panels
        const size_t nc = n - j < kCols ? n - j : kCols;
        panel_rows<D, V, A, MR, NP>(rows, nc, groups, a + i0 * a_stride, a_stride, qa + i0,
                                    panel, panel_bytes, c + i0 * c_stride + j, c_stride,
                                    r ? r + i0 * r_stride + j : nullptr, r_stride);
      }
      if constexpr (NP > 1) {
        for (; j < n; j += kQGemmNR, panel += panel_bytes) {
          const size_t nc = n - j < kQGemmNR ? n - j : kQGemmNR;
          panel_rows<D, V, A, MR, 1>(rows, nc, groups, a + i0 * a_stride, a_stride, qa + i0,
                                     panel, panel_bytes, c + i0 * c_stride + j, c_stride,
                                     r ? r + i0 * r_stride + j : nullptr, r_stride);
        }
      }
    }
  });
}

}  // namespace qgemm_impl
}  // namespace
}  // namespace mc
