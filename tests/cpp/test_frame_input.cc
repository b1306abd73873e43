// The frame-input kernels: range_check and u8_to_unit, every variant against the reference on
// lengths around the vector widths and the 1024-value blocks, bad values at every kind of
// position, and no write past the end.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/range_check/range_check.h"
#include "kernels/u8_to_unit/u8_to_unit.h"

namespace {

std::vector<size_t> lengths() {
  std::vector<size_t> n = {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 65, 100};
  for (size_t b : {1024, 2048, 4096}) {
    for (size_t d : {b - 1, b, b + 1, b + 17}) n.push_back(d);
  }
  return n;
}

}  // namespace

MC_TEST(range_check_all_variants_match_reference) {
  const float lo = -0.05f, hi = 1.05f;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  const auto& ref = mc_test::reference_of(mc::range_check_kernels());
  std::mt19937 gen(7);
  std::uniform_real_distribution<float> unit(lo, hi);
  mc_test::for_each_variant(ctx, mc::range_check_kernels(), [&](const mc::RangeCheckKernel& k) {
    for (size_t n : lengths()) {
      std::vector<float> x(n);
      for (auto& v : x) v = unit(gen);
      if (n > 0) x[0] = lo, x[n - 1] = hi;  // the bounds themselves pass
      ++ctx.checks;
      if (!k.fn(x.data(), n, lo, hi) || !ref.fn(x.data(), n, lo, hi)) {
        ctx.fail("in-range values rejected, n=" + std::to_string(n));
      }
      if (n == 0) continue;
      for (size_t at : {size_t(0), n / 2, n - 1}) {
        for (float bad : {std::nextafter(lo, -1.f), std::nextafter(hi, 2.f), 255.f, nan, inf,
                          -inf}) {
          std::vector<float> y = x;
          y[at] = bad;
          ++ctx.checks;
          if (k.fn(y.data(), n, lo, hi) || ref.fn(y.data(), n, lo, hi)) {
            ctx.fail("missed " + std::to_string(bad) + " at " + std::to_string(at) +
                     " of n=" + std::to_string(n));
          }
        }
      }
    }
  });
}

MC_TEST(u8_to_unit_all_variants_match_reference_bit_for_bit) {
  const auto& ref = mc_test::reference_of(mc::u8_to_unit_kernels());
  mc_test::for_each_variant(ctx, mc::u8_to_unit_kernels(), [&](const mc::U8ToUnitKernel& k) {
    std::vector<size_t> ns = lengths();
    ns.push_back(256);
    for (size_t n : ns) {
      std::vector<uint8_t> x(n);
      for (size_t i = 0; i < n; ++i) x[i] = uint8_t((i * 37 + n) % 256);
      if (n == 256) {
        for (size_t i = 0; i < n; ++i) x[i] = uint8_t(i);  // every byte value
      }
      std::vector<float> want(n), got(n + 3, 12345.f);
      ref.fn(x.data(), n, want.data());
      k.fn(x.data(), n, got.data());
      ++ctx.checks;
      for (size_t i = 0; i < n; ++i) {
        if (got[i] != want[i] || want[i] != float(x[i]) / 255.f) {
          ctx.fail("byte " + std::to_string(x[i]) + " at " + std::to_string(i) +
                   " of n=" + std::to_string(n));
          break;
        }
      }
      for (size_t j = n; j < n + 3; ++j) {
        if (got[j] != 12345.f) ctx.fail("wrote past the end, n=" + std::to_string(n));
      }
    }
  });
}
