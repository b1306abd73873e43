// Portable fallback: register tile of MR rows x 8 columns (half a packed panel), plain loops
// with constant trip counts that the compiler keeps in registers and vectorises at baseline
// (SSE2 / AdvSIMD). The activation is a template parameter so its switch folds away.
// Loop nest as in the SIMD variants: row chunks whose A block fits L2, panels, row tiles.
#include "kernels/gemm/gemm.h"

// GCC's loop vectoriser would vectorise the k loop (across k, transposing panel rows) instead of
// letting the SLP vectoriser map the 8 columns of the tile onto vector lanes; keep it off there.
#if defined(__clang__)
#define MC_TILE_ATTR __attribute__((noinline))
#define MC_K_LOOP _Pragma("clang loop vectorize(disable)")
#elif defined(__GNUC__)
#define MC_TILE_ATTR __attribute__((noinline, optimize("no-tree-loop-vectorize")))
#define MC_K_LOOP
#else
#define MC_TILE_ATTR
#define MC_K_LOOP
#endif

namespace mc {
namespace {

constexpr size_t kHalf = kGemmNR / 2;
constexpr size_t kMR = 4;
constexpr size_t kChunkBytes = 192 * 1024;

// Rows [0, MR) of A times columns [0, nc) (nc <= 8) of a half panel `w` (row stride kGemmNR,
// bias first).
template <Act A, size_t MR>
MC_TILE_ATTR void tile(size_t nc, size_t k, const float* a, size_t a_stride, const float* w,
                       float* c, size_t c_stride, const float* r, size_t r_stride) {
  float acc[MR][kHalf];
  for (size_t i = 0; i < MR; ++i) {
    for (size_t j = 0; j < kHalf; ++j) acc[i][j] = w[j];
  }
  w += kGemmNR;
  MC_K_LOOP
  for (size_t p = 0; p < k; ++p, w += kGemmNR) {
    float av[MR];
    for (size_t i = 0; i < MR; ++i) av[i] = a[i * a_stride + p];
    for (size_t i = 0; i < MR; ++i) {
      for (size_t j = 0; j < kHalf; ++j) acc[i][j] += av[i] * w[j];
    }
  }
  for (size_t i = 0; i < MR; ++i) {
    float* ci = c + i * c_stride;
    if (r != nullptr) {
      const float* ri = r + i * r_stride;
      for (size_t j = 0; j < nc; ++j) ci[j] = act_scalar(A, acc[i][j]) + ri[j];
    } else {
      for (size_t j = 0; j < nc; ++j) ci[j] = act_scalar(A, acc[i][j]);
    }
  }
}

// Half panel `w` (nc <= 8 live columns) applied to `rows` rows of A.
template <Act A>
void half_rows(size_t rows, size_t nc, size_t k, const float* a, size_t a_stride,
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
    for (size_t j0 = 0; j0 < n; j0 += kGemmNR, w += panel) {
      for (size_t h = 0; h < kGemmNR && j0 + h < n; h += kHalf) {
        const size_t j = j0 + h;
        const size_t nc = n - j < kHalf ? n - j : kHalf;
        half_rows<A>(rows, nc, k, ai, a_stride, w + h, ci + j, c_stride,
                     ri ? ri + j : nullptr, r_stride);
      }
    }
  }
}

}  // namespace

void f32_gemm_4x16__scalar(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
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
