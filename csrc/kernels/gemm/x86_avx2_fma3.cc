// AVX2/FMA gemm: 6x16 register tile (12 ymm accumulators, 2 ymm panel loads, A broadcast),
// remainder rows by 5..1-row specialisations of the same template. Small tiles split the k
// loop over extra accumulators so the FMA latency stays hidden (m = 1 is the GEMV of the SE
// FCs and the classifier: one pass streaming over the packed panels). Column tail of the last
// panel: masked residual loads / stores (the panel itself is zero padded, so reading it whole
// is in bounds). Fused epilogue: bias (first panel row), act (template, switch folds), residual.
// Loop nest: rows in chunks whose A block fits L2, then panels, then 6-row tiles, so one panel
// stays in L1 while it is applied to every tile of the chunk.
#include <immintrin.h>

#include "kernels/gemm/gemm.h"
#include "kernels/simd/avx2_math.h"

namespace mc {
namespace {

constexpr size_t kMR = 6;
constexpr size_t kChunkBytes = 192 * 1024;  // A rows processed per panel sweep (L2 budget)

// Independent accumulator sets over k: enough FMAs in flight for 2 ports x 4 cycles latency.
constexpr size_t splits(size_t mr) { return mr == 1 ? 4 : mr <= 3 ? 2 : 1; }

template <Act A, size_t MR>
__attribute__((always_inline)) inline void tile(size_t nc, size_t k, const float* a,
                                                size_t a_stride, const float* w, float* c,
                                                size_t c_stride, const float* r,
                                                size_t r_stride) {
  constexpr size_t S = splits(MR);
  __m256 acc[S][MR][2];
  {
    const __m256 bias0 = _mm256_loadu_ps(w);
    const __m256 bias1 = _mm256_loadu_ps(w + 8);
    for (size_t i = 0; i < MR; ++i) {
      acc[0][i][0] = bias0;
      acc[0][i][1] = bias1;
    }
    for (size_t s = 1; s < S; ++s) {
      for (size_t i = 0; i < MR; ++i) {
        acc[s][i][0] = _mm256_setzero_ps();
        acc[s][i][1] = _mm256_setzero_ps();
      }
    }
  }
  w += kGemmNR;
  const float* ap[MR];
  for (size_t i = 0; i < MR; ++i) ap[i] = a + i * a_stride;
  size_t p = 0;
  if (S > 1) {
    for (; p + S <= k; p += S, w += S * kGemmNR) {
      for (size_t s = 0; s < S; ++s) {
        const __m256 b0 = _mm256_loadu_ps(w + s * kGemmNR);
        const __m256 b1 = _mm256_loadu_ps(w + s * kGemmNR + 8);
        for (size_t i = 0; i < MR; ++i) {
          const __m256 va = _mm256_broadcast_ss(ap[i] + p + s);
          acc[s][i][0] = _mm256_fmadd_ps(va, b0, acc[s][i][0]);
          acc[s][i][1] = _mm256_fmadd_ps(va, b1, acc[s][i][1]);
        }
      }
    }
  }
  for (; p < k; ++p, w += kGemmNR) {
    const __m256 b0 = _mm256_loadu_ps(w);
    const __m256 b1 = _mm256_loadu_ps(w + 8);
    for (size_t i = 0; i < MR; ++i) {
      const __m256 va = _mm256_broadcast_ss(ap[i] + p);
      acc[0][i][0] = _mm256_fmadd_ps(va, b0, acc[0][i][0]);
      acc[0][i][1] = _mm256_fmadd_ps(va, b1, acc[0][i][1]);
    }
  }
  for (size_t s = 1; s < S; ++s) {
    for (size_t i = 0; i < MR; ++i) {
      acc[0][i][0] = _mm256_add_ps(acc[0][i][0], acc[s][i][0]);
      acc[0][i][1] = _mm256_add_ps(acc[0][i][1], acc[s][i][1]);
    }
  }
  if (nc == kGemmNR) {
    for (size_t i = 0; i < MR; ++i) {
      __m256 v0 = avx2::act_ps(A, acc[0][i][0]);
      __m256 v1 = avx2::act_ps(A, acc[0][i][1]);
      if (r != nullptr) {
        v0 = _mm256_add_ps(v0, _mm256_loadu_ps(r + i * r_stride));
        v1 = _mm256_add_ps(v1, _mm256_loadu_ps(r + i * r_stride + 8));
      }
      _mm256_storeu_ps(c + i * c_stride, v0);
      _mm256_storeu_ps(c + i * c_stride + 8, v1);
    }
  } else {
    const __m256i m0 = avx2::tail_mask(nc < 8 ? nc : 8);
    const __m256i m1 = avx2::tail_mask(nc > 8 ? nc - 8 : 0);
    for (size_t i = 0; i < MR; ++i) {
      __m256 v0 = avx2::act_ps(A, acc[0][i][0]);
      __m256 v1 = avx2::act_ps(A, acc[0][i][1]);
      if (r != nullptr) {
        v0 = _mm256_add_ps(v0, _mm256_maskload_ps(r + i * r_stride, m0));
        v1 = _mm256_add_ps(v1, _mm256_maskload_ps(r + i * r_stride + 8, m1));
      }
      _mm256_maskstore_ps(c + i * c_stride, m0, v0);
      _mm256_maskstore_ps(c + i * c_stride + 8, m1, v1);
    }
  }
}

// One packed panel (nc <= 16 live columns) applied to `rows` rows of A.
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

void f32_gemm_6x16__avx2_fma3(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                              const float* packed_w, float* c, size_t c_stride,
                              const float* residual, size_t r_stride, Act act) {
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
