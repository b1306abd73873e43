// NEON gemm: 6x16 register tile (24 float32x4 accumulators of the 32 AArch64 vector registers,
// 4 panel loads, A by element via vfmaq_n_f32), remainder rows by 5..1-row specialisations.
// The 1-row tile (GEMV) splits k over two accumulator sets to hide the FMA latency. Column tail
// of the last panel: full vector math (the panel is zero padded), partial scalar stores and
// residual loads. Fused epilogue: bias, act (template, switch folds), residual.
#include <arm_neon.h>

#include "kernels/gemm/gemm.h"
#include "kernels/simd/neon_math.h"

namespace mc {
namespace {

constexpr size_t kMR = 6;
constexpr size_t kChunkBytes = 192 * 1024;

constexpr size_t splits(size_t mr) { return mr == 1 ? 2 : 1; }

template <Act A, size_t MR>
__attribute__((always_inline)) inline void tile(size_t nc, size_t k, const float* a,
                                                size_t a_stride, const float* w, float* c,
                                                size_t c_stride, const float* r,
                                                size_t r_stride) {
  constexpr size_t S = splits(MR);
  float32x4_t acc[S][MR][4];
  for (size_t q = 0; q < 4; ++q) {
    const float32x4_t bias = vld1q_f32(w + 4 * q);
    for (size_t i = 0; i < MR; ++i) acc[0][i][q] = bias;
    for (size_t s = 1; s < S; ++s) {
      for (size_t i = 0; i < MR; ++i) acc[s][i][q] = vdupq_n_f32(0.f);
    }
  }
  w += kGemmNR;
  const float* ap[MR];
  for (size_t i = 0; i < MR; ++i) ap[i] = a + i * a_stride;
  size_t p = 0;
  if (S > 1) {
    for (; p + S <= k; p += S, w += S * kGemmNR) {
      for (size_t s = 0; s < S; ++s) {
        float32x4_t b[4];
        for (size_t q = 0; q < 4; ++q) b[q] = vld1q_f32(w + s * kGemmNR + 4 * q);
        for (size_t i = 0; i < MR; ++i) {
          const float va = ap[i][p + s];
          for (size_t q = 0; q < 4; ++q) acc[s][i][q] = vfmaq_n_f32(acc[s][i][q], b[q], va);
        }
      }
    }
  }
  for (; p < k; ++p, w += kGemmNR) {
    float32x4_t b[4];
    for (size_t q = 0; q < 4; ++q) b[q] = vld1q_f32(w + 4 * q);
    for (size_t i = 0; i < MR; ++i) {
      const float va = ap[i][p];
      for (size_t q = 0; q < 4; ++q) acc[0][i][q] = vfmaq_n_f32(acc[0][i][q], b[q], va);
    }
  }
  for (size_t s = 1; s < S; ++s) {
    for (size_t i = 0; i < MR; ++i) {
      for (size_t q = 0; q < 4; ++q) acc[0][i][q] = vaddq_f32(acc[0][i][q], acc[s][i][q]);
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    float32x4_t v[4];
    for (size_t q = 0; q < 4; ++q) v[q] = neon::act_ps(A, acc[0][i][q]);
    float* ci = c + i * c_stride;
    const float* ri = r ? r + i * r_stride : nullptr;
    if (nc == kGemmNR) {
      for (size_t q = 0; q < 4; ++q) {
        if (ri != nullptr) v[q] = vaddq_f32(v[q], vld1q_f32(ri + 4 * q));
        vst1q_f32(ci + 4 * q, v[q]);
      }
    } else {
      float buf[kGemmNR];
      for (size_t q = 0; q < 4; ++q) vst1q_f32(buf + 4 * q, v[q]);
      if (ri != nullptr) {
        for (size_t j = 0; j < nc; ++j) ci[j] = buf[j] + ri[j];
      } else {
        for (size_t j = 0; j < nc; ++j) ci[j] = buf[j];
      }
    }
  }
}

template <Act A>
void panel_rows(size_t rows, size_t nc, size_t k, const float* a, size_t a_stride,
                const float* w, float* c, size_t c_stride, const float* r, size_t r_stride) {
  size_t i = 0;
  for (; i + kMR <= rows; i += kMR) {
    tile<A, kMR>(nc, k, a + i * a_stride, a_stride, w, c + i * c_stride, c_stride,
                 r ? r + i * r_stride : nullptr, r_stride);
  }
  const float* ai = a + i * a_stride;
  float* ci = c + i * c_stride;
  const float* ri = r ? r + i * r_stride : nullptr;
  switch (rows - i) {
    case 5: return tile<A, 5>(nc, k, ai, a_stride, w, ci, c_stride, ri, r_stride);
    case 4: return tile<A, 4>(nc, k, ai, a_stride, w, ci, c_stride, ri, r_stride);
    case 3: return tile<A, 3>(nc, k, ai, a_stride, w, ci, c_stride, ri, r_stride);
    case 2: return tile<A, 2>(nc, k, ai, a_stride, w, ci, c_stride, ri, r_stride);
    case 1: return tile<A, 1>(nc, k, ai, a_stride, w, ci, c_stride, ri, r_stride);
    default: return;
  }
}

template <Act A>
void run(size_t m, size_t n, size_t k, const float* a, size_t a_stride, const float* packed,
         float* c, size_t c_stride, const float* r, size_t r_stride) {
  const size_t panel = kGemmNR * (k + 1);
  size_t chunk = kChunkBytes / (k * sizeof(float)) / kMR * kMR;
  if (chunk < kMR) chunk = kMR;
  for (size_t i0 = 0; i0 < m; i0 += chunk) {
    const size_t rows = m - i0 < chunk ? m - i0 : chunk;
    const float* ai = a + i0 * a_stride;
    float* ci = c + i0 * c_stride;
    const float* ri = r ? r + i0 * r_stride : nullptr;
    const float* w = packed;
    for (size_t j = 0; j < n; j += kGemmNR, w += panel) {
      const size_t nc = n - j < kGemmNR ? n - j : kGemmNR;
      panel_rows<A>(rows, nc, k, ai, a_stride, w, ci + j, c_stride, ri ? ri + j : nullptr,
                    r_stride);
    }
  }
}

}  // namespace

void f32_gemm_6x16__neon(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                         const float* packed_w, float* c, size_t c_stride, const float* residual,
                         size_t r_stride, Act act) {
#define MC_CASE(e) \
  case e: return run<e>(m, n, k, a, a_stride, packed_w, c, c_stride, residual, r_stride);
  switch (act) {
    MC_CASE(Act::kIdentity)
    MC_CASE(Act::kRelu)
    MC_CASE(Act::kRelu6)
    MC_CASE(Act::kHardSwish)
    MC_CASE(Act::kSwish)
    MC_CASE(Act::kSigmoid)
    MC_CASE(Act::kHardSigmoid)
    MC_CASE(Act::kHardSigmoidKeras)
    default: return run<Act::kIdentity>(m, n, k, a, a_stride, packed_w, c, c_stride, residual,
                                        r_stride);
  }
#undef MC_CASE
}

}  // namespace mc
