// bf16w_gemm: bfloat16 rounding and packing, and every variant against the double-precision
// reference on odd sizes (rows over the tile, partial last panels, short and long k), with NaN
// guards around A rows and C (no over-read into the result, no write outside C).
#include <cmath>
#include <cstring>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/bf16w_gemm/bf16w_gemm.h"

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

void check_case(mc_test::Context& ctx, std::mt19937& gen, const mc::Bf16wGemmKernel& kern,
                const mc::Bf16wGemmKernel& ref, size_t m, size_t n, size_t k, mc::Act act) {
  const std::string what = "m=" + std::to_string(m) + " n=" + std::to_string(n) +
                           " k=" + std::to_string(k) + " act=" + mc::kActNames[size_t(act)];
  const size_t a_stride = k + 3, c_stride = n + 2, guard = 9;
  std::vector<float> a((m - 1) * a_stride + k, kNaN);
  for (size_t i = 0; i < m; ++i) {
    const auto row = mc_test::random_vector(gen, k);
    std::copy(row.begin(), row.end(), a.begin() + i * a_stride);
  }
  const auto w = mc_test::random_vector(gen, k * n, -0.5f, 0.5f);
  const auto bias = mc_test::random_vector(gen, n);
  std::vector<uint16_t> packed(mc::bf16w_packed_elems(n, k));
  mc::pack_bf16w_weights(n, k, w.data(), bias.data(), packed.data());
  const size_t c_size = (m - 1) * c_stride + n + guard;
  std::vector<float> got(c_size, kNaN), want(c_size, kNaN);
  ref.fn(m, n, k, a.data(), a_stride, packed.data(), want.data(), c_stride, act);
  kern.fn(m, n, k, a.data(), a_stride, packed.data(), got.data(), c_stride, act);
  ++ctx.checks;
  const float atol = 2e-6f * std::sqrt(float(k)) + 1e-6f;
  for (size_t idx = 0; idx < c_size; ++idx) {
    const bool inside = idx / c_stride < m && idx % c_stride < n;
    if (!inside) {
      if (!std::isnan(got[idx])) {
        return ctx.fail("wrote outside C at " + std::to_string(idx) + ": " + what);
      }
      continue;
    }
    if (!mc_test::close(got[idx], want[idx], atol, 1e-5f)) {
      return ctx.fail("C[" + std::to_string(idx / c_stride) + "][" +
                      std::to_string(idx % c_stride) + "] got " + std::to_string(got[idx]) +
                      " want " + std::to_string(want[idx]) + ": " + what);
    }
  }
}

}  // namespace

MC_TEST(bf16w_round_and_pack) {
  ++ctx.checks;
  // nearest even on the 16 dropped bits; exact values stay exact
  if (mc::to_bf16(1.f) != 0x3F80 || mc::from_bf16(0x3F80) != 1.f) ctx.fail("1.0");
  if (mc::to_bf16(mc::from_bf16(0x3F80) + std::ldexp(1.f, -8)) != 0x3F80) ctx.fail("tie to even");
  if (mc::to_bf16(mc::from_bf16(0x3F81) + std::ldexp(1.f, -8)) != 0x3F82) ctx.fail("tie up");
  if (mc::to_bf16(-2.5f) != 0xC020) ctx.fail("-2.5");
  std::mt19937 gen(3);
  for (float x : mc_test::random_vector(gen, 1000, -4.f, 4.f)) {
    const float back = mc::from_bf16(mc::to_bf16(x));
    if (std::fabs(back - x) > std::ldexp(std::fabs(x), -8)) ctx.fail("more than half an ulp off");
  }
  const size_t n = 19, k = 2;
  std::vector<float> w(k * n), b(n);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(i + 1);
  for (size_t j = 0; j < n; ++j) b[j] = -float(j);
  std::vector<uint16_t> packed(mc::bf16w_packed_elems(n, k), 0xFFFF);
  mc::pack_bf16w_weights(n, k, w.data(), b.data(), packed.data());
  for (size_t j = 0; j < 2 * mc::kBf16wNR; ++j) {
    const uint16_t* panel = packed.data() + (j / mc::kBf16wNR) * mc::bf16w_panel_elems(k);
    const size_t jj = j % mc::kBf16wNR;
    float bias;
    std::memcpy(&bias, panel + 2 * jj, 4);
    if (bias != (j < n ? b[j] : 0.f)) ctx.fail("bias " + std::to_string(j));
    for (size_t p = 0; p < k; ++p) {
      const float got = mc::from_bf16(panel[2 * mc::kBf16wNR + p * mc::kBf16wNR + jj]);
      if (got != (j < n ? w[p * n + j] : 0.f)) ctx.fail("weight " + std::to_string(j));
    }
  }
}

MC_TEST(bf16w_gemm_all_variants_match_reference) {
  std::mt19937 gen(5);
  const auto& ref = mc_test::reference_of(mc::bf16w_gemm_kernels());
  mc_test::for_each_variant(ctx, mc::bf16w_gemm_kernels(), [&](const mc::Bf16wGemmKernel& kern) {
    size_t idx = 0;
    for (size_t m : mc_test::tile_sizes(kern.tile_m, 5)) {
      for (size_t n : {1, 7, 15, 16, 17, 33, 47}) {
        for (size_t k : {1, 2, 3, 5, 9, 64, 257}) {
          const auto act = static_cast<mc::Act>(idx++ % size_t(mc::Act::kCount));
          check_case(ctx, gen, kern, ref, m, n, k, act);
        }
      }
    }
    check_case(ctx, gen, kern, ref, 1, 600, 2048, mc::Act::kIdentity);  // the A0 classifier
    check_case(ctx, gen, kern, ref, 3, 2048, 480, mc::Act::kSwish);
  });
}
