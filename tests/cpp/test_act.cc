#include <random>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/act/act.h"

MC_TEST(act_all_variants_match_reference) {
  std::mt19937 gen(42);
  const auto& ref = mc_test::reference_of(mc::act_kernels());
  mc_test::for_each_variant(ctx, mc::act_kernels(), [&](const mc::ActKernel& k) {
    for (size_t a = 0; a < size_t(mc::Act::kCount); ++a) {
      const mc::Act act = static_cast<mc::Act>(a);
      for (size_t n : mc_test::tile_sizes(k.tile_m, 1001)) {
        auto x = mc_test::random_vector(gen, n, -9.f, 9.f);
        x[0] = n > 1 ? -100.f : x[0];  // saturated exp range
        std::vector<float> want(n), got(n + 1, 12345.f);
        ref.fn(n, x.data(), want.data(), act);
        k.fn(n, x.data(), got.data(), act);
        mc_test::check_close(ctx, got.data(), want.data(), n, 1e-6f, 2e-6f,
                             std::string(mc::kActNames[a]) + " n=" + std::to_string(n));
        if (got[n] != 12345.f) ctx.fail("wrote past the end, n=" + std::to_string(n));
      }
    }
  });
}
