#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/gemm/gemm.h"

namespace {

const float kNaN = std::numeric_limits<float>::quiet_NaN();

struct GemmCase {
  size_t m, n, k;
  size_t a_stride, c_stride, r_stride;
  bool bias, residual;
  mc::Act act;
};

std::string describe(const GemmCase& g) {
  return "m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " a_stride=" + std::to_string(g.a_stride) + " c_stride=" + std::to_string(g.c_stride) +
         " r_stride=" + std::to_string(g.r_stride) + " bias=" + std::to_string(g.bias) +
         " residual=" + std::to_string(g.residual) + " act=" + mc::kActNames[size_t(g.act)] +
         " seed=42";
}

// Runs `k` and the reference on one case. A rows live in a wider buffer whose gaps are NaN (a
// read past column k poisons the result); C rows are written into a NaN-filled buffer with
// guard floats past the last row, and every gap must stay NaN.
void check_case(mc_test::Context& ctx, std::mt19937& gen, const mc::GemmKernel& kern,
                const mc::GemmKernel& ref, const GemmCase& g) {
  std::vector<float> a((g.m - 1) * g.a_stride + g.k, kNaN);
  for (size_t i = 0; i < g.m; ++i) {
    auto row = mc_test::random_vector(gen, g.k);
    std::copy(row.begin(), row.end(), a.begin() + i * g.a_stride);
  }
  const auto w = mc_test::random_vector(gen, g.k * g.n);
  const auto bias = mc_test::random_vector(gen, g.n);
  std::vector<float> packed(mc::gemm_packed_size(g.n, g.k), kNaN);
  mc::pack_gemm_weights(g.n, g.k, w.data(), g.bias ? bias.data() : nullptr, packed.data());
  std::vector<float> r;
  if (g.residual) r = mc_test::random_vector(gen, (g.m - 1) * g.r_stride + g.n, -2.f, 2.f);
  const size_t guard = 17;
  const size_t c_size = (g.m - 1) * g.c_stride + g.n + guard;
  std::vector<float> got(c_size, kNaN), want(c_size, kNaN);
  const float* rp = g.residual ? r.data() : nullptr;
  ref.fn(g.m, g.n, g.k, a.data(), g.a_stride, packed.data(), want.data(), g.c_stride, rp,
         g.r_stride, g.act);
  kern.fn(g.m, g.n, g.k, a.data(), g.a_stride, packed.data(), got.data(), g.c_stride, rp,
          g.r_stride, g.act);
  const float atol = 1e-5f * std::sqrt(float(g.k)) + 1e-6f;
  for (size_t i = 0; i < g.m; ++i) {
    ++ctx.checks;
    for (size_t j = 0; j < g.n; ++j) {
      const float gv = got[i * g.c_stride + j], wv = want[i * g.c_stride + j];
      if (!mc_test::close(gv, wv, atol, 1e-5f)) {
        char buf[160];
        std::snprintf(buf, sizeof buf, "C[%zu][%zu] got %.9g want %.9g: ", i, j, double(gv),
                      double(wv));
        ctx.fail(buf + describe(g));
        return;
      }
    }
  }
  for (size_t idx = 0; idx < c_size; ++idx) {
    const bool inside = idx / g.c_stride < g.m && idx % g.c_stride < g.n;
    if (!inside && !std::isnan(got[idx])) {
      ctx.fail("wrote outside C at float " + std::to_string(idx) + ": " + describe(g));
      return;
    }
  }
}

}  // namespace

MC_TEST(gemm_pack_layout) {
  const size_t n = 21, k = 3;
  std::vector<float> w(k * n), b(n);
  for (size_t i = 0; i < w.size(); ++i) w[i] = float(i + 1);
  for (size_t j = 0; j < n; ++j) b[j] = -float(j + 1);
  std::vector<float> packed(mc::gemm_packed_size(n, k), 12345.f);
  mc::pack_gemm_weights(n, k, w.data(), b.data(), packed.data());
  ++ctx.checks;
  for (size_t q = 0; q < 2; ++q) {
    const float* panel = packed.data() + q * mc::kGemmNR * (k + 1);
    for (size_t jj = 0; jj < mc::kGemmNR; ++jj) {
      const size_t j = q * mc::kGemmNR + jj;
      const float want_b = j < n ? b[j] : 0.f;
      if (panel[jj] != want_b) ctx.fail("bias at panel " + std::to_string(q));
      for (size_t p = 0; p < k; ++p) {
        const float want_w = j < n ? w[p * n + j] : 0.f;
        if (panel[mc::kGemmNR * (p + 1) + jj] != want_w) {
          ctx.fail("weight p=" + std::to_string(p) + " j=" + std::to_string(j));
        }
      }
    }
  }
  std::vector<float> nobias(mc::gemm_packed_size(n, k), 12345.f);
  mc::pack_gemm_weights(n, k, w.data(), nullptr, nobias.data());
  for (size_t jj = 0; jj < mc::kGemmNR; ++jj) {
    if (nobias[jj] != 0.f) ctx.fail("null bias must pack zeros");
  }
}

// Shapes sweep: m over the row tile, n over 1..2*tile_n+1 plus 47 and 600, k over short and long
// reductions; act, bias, residual and strides rotate with the case index.
MC_TEST(gemm_all_variants_match_reference) {
  std::mt19937 gen(42);
  const auto& ref = mc_test::reference_of(mc::gemm_kernels());
  const size_t ks[] = {1, 3, 8, 17, 80, 257};
  mc_test::for_each_variant(ctx, mc::gemm_kernels(), [&](const mc::GemmKernel& kern) {
    std::vector<size_t> ns;  // column tails of the register tile and of its panels
    for (size_t n = 1; n <= 2 * kern.tile_n + 1; ++n) ns.push_back(n);
    ns.push_back(47);
    ns.push_back(600);
    size_t idx = 0;
    for (size_t m : mc_test::tile_sizes(kern.tile_m, 37)) {
      for (size_t n : ns) {
        for (size_t k : ks) {
          if (n == 600 && m > 2 * kern.tile_m + 1) continue;  // keep the sweep fast
          ++idx;
          GemmCase g;
          g.m = m, g.n = n, g.k = k;
          g.a_stride = k + (idx % 3 == 0 ? 0 : 3);
          g.c_stride = n + (idx % 2 == 0 ? 0 : 5);
          g.r_stride = n + (idx % 4 == 1 ? 2 : 0);
          g.bias = idx % 5 != 0;
          g.residual = idx % 2 == 1;
          g.act = static_cast<mc::Act>(idx % size_t(mc::Act::kCount));
          check_case(ctx, gen, kern, ref, g);
        }
      }
    }
  });
}

MC_TEST(gemm_every_activation) {
  std::mt19937 gen(43);
  const auto& ref = mc_test::reference_of(mc::gemm_kernels());
  mc_test::for_each_variant(ctx, mc::gemm_kernels(), [&](const mc::GemmKernel& kern) {
    for (size_t a = 0; a < size_t(mc::Act::kCount); ++a) {
      for (size_t m : {size_t(1), size_t(kern.tile_m), size_t(2 * kern.tile_m + 1)}) {
        for (size_t n : {5, 16, 33}) {
          for (size_t k : {3, 40}) {
            for (bool res : {false, true}) {
              GemmCase g{m, n, k, k, n + 3, n, true, res, static_cast<mc::Act>(a)};
              check_case(ctx, gen, kern, ref, g);
            }
          }
        }
      }
    }
  });
}

MC_TEST(gemm_gemv_long_reduction) {
  std::mt19937 gen(44);
  const auto& ref = mc_test::reference_of(mc::gemm_kernels());
  mc_test::for_each_variant(ctx, mc::gemm_kernels(), [&](const mc::GemmKernel& kern) {
    for (size_t k : {1, 2, 5, 2048}) {
      GemmCase g{1, 600, k, k, 600, 600, true, k == 5, mc::Act::kHardSwish};
      check_case(ctx, gen, kern, ref, g);
    }
  });
}

// residual == c (in-place residual add with the same stride) is supported by every variant.
MC_TEST(gemm_residual_in_place) {
  std::mt19937 gen(45);
  const auto& ref = mc_test::reference_of(mc::gemm_kernels());
  mc_test::for_each_variant(ctx, mc::gemm_kernels(), [&](const mc::GemmKernel& kern) {
    for (size_t m : {1, 7, 13}) {
      const size_t n = 37, k = 19, stride = 41;
      const auto a = mc_test::random_vector(gen, m * k);
      const auto w = mc_test::random_vector(gen, k * n);
      std::vector<float> packed(mc::gemm_packed_size(n, k));
      mc::pack_gemm_weights(n, k, w.data(), nullptr, packed.data());
      const auto r = mc_test::random_vector(gen, m * stride);
      std::vector<float> want(m * stride), got = r;
      ref.fn(m, n, k, a.data(), k, packed.data(), want.data(), stride, r.data(), stride,
             mc::Act::kRelu);
      kern.fn(m, n, k, a.data(), k, packed.data(), got.data(), stride, got.data(), stride,
              mc::Act::kRelu);
      for (size_t i = 0; i < m; ++i) {
        mc_test::check_close(ctx, got.data() + i * stride, want.data() + i * stride, n, 1e-5f,
                             1e-5f, "in-place residual m=" + std::to_string(m));
      }
    }
  });
}
