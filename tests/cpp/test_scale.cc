#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/scale/scale.h"

MC_TEST(scale_all_variants_match_reference) {
  std::mt19937 gen(42);
  const auto& ref = mc_test::reference_of(mc::scale_kernels());
  mc_test::for_each_variant(ctx, mc::scale_kernels(), [&](const mc::ScaleKernel& k) {
    std::vector<size_t> channels = mc_test::tile_sizes(k.tile_n, 47);
    channels.push_back(600);
    for (size_t pixels : {1, 2, 3, 5, 17}) {
      for (size_t c : channels) {
        const size_t size = pixels * c;
        const auto x = mc_test::random_vector(gen, size, -4.f, 4.f);
        const auto s = mc_test::random_vector(gen, c);
        std::vector<float> want(size), got(size + 3, 12345.f);
        ref.fn(pixels, c, x.data(), s.data(), want.data());
        k.fn(pixels, c, x.data(), s.data(), got.data());
        const std::string what = "pixels=" + std::to_string(pixels) + " c=" + std::to_string(c);
        mc_test::check_close(ctx, got.data(), want.data(), size, 0.f, 0.f, what);
        for (size_t j = size; j < size + 3; ++j) {
          if (got[j] != 12345.f) ctx.fail("wrote past the end, " + what);
        }
        std::vector<float> inplace = x;  // y == x
        k.fn(pixels, c, inplace.data(), s.data(), inplace.data());
        mc_test::check_close(ctx, inplace.data(), want.data(), size, 0.f, 0.f,
                             "in place " + what);
      }
    }
  });
}
