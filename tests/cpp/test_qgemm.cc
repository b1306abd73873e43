// Int8 gemm: every variant against the reference (bit-exact with the identity epilogue, close
// with the others), saturating inputs, the int32 bound, and the activation quantizer. This is
// the suite that runs the NEON / NEON-dotprod variants under qemu-aarch64.
#include <cmath>
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/qgemm/qgemm.h"
#include "kernels/quantize/quantize.h"

namespace {

struct QCase {
  size_t m, n, k, a_pad, c_pad;
  bool bias, residual, extreme;
  mc::Act act;
};

std::string describe(const QCase& g) {
  return "m=" + std::to_string(g.m) + " n=" + std::to_string(g.n) + " k=" + std::to_string(g.k) +
         " a_pad=" + std::to_string(g.a_pad) + " c_pad=" + std::to_string(g.c_pad) +
         " bias=" + std::to_string(g.bias) + " residual=" + std::to_string(g.residual) +
         " extreme=" + std::to_string(g.extreme) + " act=" + mc::kActNames[size_t(g.act)] +
         " seed=7";
}

void check_case(mc_test::Context& ctx, std::mt19937& gen, const mc::QGemmKernel& kern,
                const mc::QGemmKernel& ref, const QCase& g) {
  const size_t a_stride = mc::qgemm_round_k(g.k) + g.a_pad, c_stride = g.n + g.c_pad;
  std::uniform_int_distribution<int> byte(0, 255), weight(-127, 127), bit(0, 1);
  std::vector<uint8_t> a(g.m * a_stride);
  for (auto& v : a) v = uint8_t(byte(gen));  // garbage past k as well
  std::vector<int8_t> w(g.k * g.n);
  std::vector<mc::QuantParams> qa(g.m);
  for (auto& v : w) v = int8_t(g.extreme ? (bit(gen) ? 127 : -127) : weight(gen));
  std::uniform_real_distribution<float> sa(1e-3f, 0.1f);
  for (size_t i = 0; i < g.m; ++i) {
    qa[i].zero_point = g.extreme ? (bit(gen) ? 255 : 0) : byte(gen);
    qa[i].scale = sa(gen) / std::sqrt(float(g.k));
    if (g.extreme) {
      for (size_t p = 0; p < g.k; ++p) a[i * a_stride + p] = bit(gen) ? 255 : 0;
    }
  }
  const auto sw = mc_test::random_vector(gen, g.n, -0.05f, 0.05f);
  const auto bias = mc_test::random_vector(gen, g.n);
  std::vector<uint8_t> packed(mc::qgemm_packed_bytes(g.n, g.k), 0xAB);
  mc::pack_qgemm_weights(g.n, g.k, w.data(), sw.data(), g.bias ? bias.data() : nullptr,
                         packed.data());
  std::vector<float> r;
  if (g.residual) r = mc_test::random_vector(gen, g.m * g.n, -2.f, 2.f);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const size_t guard = 17, c_size = (g.m - 1) * c_stride + g.n + guard;
  std::vector<float> got(c_size, nan), want(c_size, nan);
  const float* rp = g.residual ? r.data() : nullptr;
  ref.fn(g.m, g.n, g.k, a.data(), a_stride, qa.data(), packed.data(), want.data(), c_stride, rp,
         g.n, g.act);
  kern.fn(g.m, g.n, g.k, a.data(), a_stride, qa.data(), packed.data(), got.data(), c_stride, rp,
          g.n, g.act);
  const bool exact = g.act == mc::Act::kIdentity;
  for (size_t idx = 0; idx < c_size; ++idx) {
    const bool inside = idx / c_stride < g.m && idx % c_stride < g.n;
    if (!inside) {
      if (!std::isnan(got[idx])) return ctx.fail("wrote outside C: " + describe(g));
      continue;
    }
    const float gv = got[idx], wv = want[idx];
    const bool ok = exact ? std::memcmp(&gv, &wv, sizeof gv) == 0
                          : mc_test::close(gv, wv, 1e-5f * (1.f + std::fabs(wv)), 2e-5f);
    if (!ok) {
      char buf[160];
      std::snprintf(buf, sizeof buf, "C[%zu][%zu] got %.9g want %.9g: ", idx / c_stride,
                    idx % c_stride, double(gv), double(wv));
      return ctx.fail(buf + describe(g));
    }
  }
  ++ctx.checks;
}

}  // namespace

MC_TEST(qgemm_all_variants_match_reference) {
  std::mt19937 gen(7);
  const auto& ref = mc_test::reference_of(mc::qgemm_kernels());
  const size_t ns[] = {1, 3, 8, 15, 16, 17, 31, 33, 47};
  const size_t ks[] = {1, 2, 3, 4, 5, 7, 9, 17, 80, 257};
  mc_test::for_each_variant(ctx, mc::qgemm_kernels(), [&](const mc::QGemmKernel& kern) {
    size_t idx = 0;
    for (size_t m : mc_test::tile_sizes(kern.tile_m, 37)) {
      for (size_t n : ns) {
        for (size_t k : ks) {
          ++idx;
          if (idx % 3 != 0) continue;  // a third of the grid, every axis value still hit
          QCase g{m, n, k, idx % 5, 5 * (idx % 2), idx % 7 != 0, idx % 2 == 1, false,
                  static_cast<mc::Act>(idx % size_t(mc::Act::kCount))};
          check_case(ctx, gen, kern, ref, g);
        }
      }
    }
    // Saturating inputs (no int16 overflow in any variant) up to the int32 bound, and GEMV.
    check_case(ctx, gen, kern, ref, {kern.tile_m + 1, 19, 64, 0, 0, true, false, true,
                                     mc::Act::kIdentity});
    check_case(ctx, gen, kern, ref, {2, 17, mc::kQGemmMaxK, 1, 0, true, true, true,
                                     mc::Act::kIdentity});
    check_case(ctx, gen, kern, ref, {1, 600, 2048, 0, 3, true, false, false,
                                     mc::Act::kSwish});
  });
}

MC_TEST(quantize_all_variants_match_reference) {
  std::mt19937 gen(11);
  const auto& ref = mc_test::reference_of(mc::quantize_kernels());
  mc_test::for_each_variant(ctx, mc::quantize_kernels(), [&](const mc::QuantizeKernel& kern) {
    for (size_t k : {1, 3, 7, 8, 9, 15, 16, 17, 33, 100}) {
      const size_t m = 4, kc = mc::qgemm_round_k(k), x_stride = k + 3;
      auto x = mc_test::random_vector(gen, m * x_stride, -3.f, 5.f);
      for (size_t p = 0; p < k; ++p) {
        x[2 * x_stride + p] = 0.f;                        // an all-zero row
        x[3 * x_stride + p] = std::fabs(x[3 * x_stride + p]);  // an all-positive row
      }
      std::vector<uint8_t> got(m * kc, 0xCD), want(m * kc, 0xEF);
      std::vector<mc::QuantParams> gp(m), wp(m);
      ref.fn(m, k, x.data(), x_stride, nullptr, want.data(), kc, nullptr, wp.data());
      kern.fn(m, k, x.data(), x_stride, nullptr, got.data(), kc, nullptr, gp.data());
      ++ctx.checks;
      if (got != want) ctx.fail("quantized bytes differ from the reference, k=" + std::to_string(k));
      // static: one calibrated pair (clipping part of the values) for every row
      const mc::QuantParams fixed{77, 0.011f};
      std::vector<uint8_t> sgot(m * kc, 0xCD), swant(m * kc, 0xEF);
      std::vector<mc::QuantParams> sgp(m), swp(m);
      ref.fn(m, k, x.data(), x_stride, nullptr, swant.data(), kc, &fixed, swp.data());
      kern.fn(m, k, x.data(), x_stride, nullptr, sgot.data(), kc, &fixed, sgp.data());
      ++ctx.checks;
      if (sgot != swant) ctx.fail("static: bytes differ from the reference, k=" + std::to_string(k));
      for (size_t i = 0; i < m; ++i) {
        if (sgp[i].scale != fixed.scale || sgp[i].zero_point != fixed.zero_point) {
          ctx.fail("static: params are not the fixed ones, k=" + std::to_string(k));
        }
      }
      for (size_t i = 0; i < m; ++i) {
        if (gp[i].scale != wp[i].scale || gp[i].zero_point != wp[i].zero_point) {
          ctx.fail("params differ, k=" + std::to_string(k));
        }
        for (size_t p = 0; p < k; ++p) {
          const float back = wp[i].scale * float(int32_t(want[i * kc + p]) - wp[i].zero_point);
          if (std::fabs(back - x[i * x_stride + p]) > 0.5001f * wp[i].scale) {
            ctx.fail("round trip off by more than half a step, k=" + std::to_string(k));
          }
        }
      }
      if (wp[2].scale != 1.f || wp[2].zero_point != 0) ctx.fail("zero row: scale 1, zp 0");
      // col_scale (the fused SE gate): the same bytes as quantizing the scaled rows, dynamic
      // and static, and x untouched
      const auto g = mc_test::random_vector(gen, k, 0.f, 1.f);
      std::vector<float> xs(x);
      for (size_t i = 0; i < m; ++i) {
        for (size_t p = 0; p < k; ++p) xs[i * x_stride + p] *= g[p];
      }
      const std::vector<float> x_before(x);
      for (const mc::QuantParams* f : {static_cast<const mc::QuantParams*>(nullptr), &fixed}) {
        std::vector<uint8_t> cgot(m * kc, 0xCD), cwant(m * kc, 0xEF);
        std::vector<mc::QuantParams> cgp(m), cwp(m);
        ref.fn(m, k, xs.data(), x_stride, nullptr, cwant.data(), kc, f, cwp.data());
        kern.fn(m, k, x.data(), x_stride, g.data(), cgot.data(), kc, f, cgp.data());
        ++ctx.checks;
        if (cgot != cwant) ctx.fail("col_scale: bytes differ, k=" + std::to_string(k));
        for (size_t i = 0; i < m; ++i) {
          if (cgp[i].scale != cwp[i].scale || cgp[i].zero_point != cwp[i].zero_point) {
            ctx.fail("col_scale: params differ, k=" + std::to_string(k));
          }
        }
      }
      if (x != x_before) ctx.fail("col_scale: x was modified");
    }
  });
}
