#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/rowsum/rowsum.h"

MC_TEST(rowsum_all_variants_match_reference) {
  std::mt19937 gen(42);
  const auto& ref = mc_test::reference_of(mc::rowsum_kernels());
  mc_test::for_each_variant(ctx, mc::rowsum_kernels(), [&](const mc::RowSumKernel& k) {
    std::vector<size_t> channels = mc_test::tile_sizes(k.tile_n, 47);
    channels.push_back(600);
    for (size_t pixels : {1, 2, 3, 4, 5, 7, 9, 36, 121, 1001}) {
      for (size_t c : channels) {
        const auto x = mc_test::random_vector(gen, pixels * c);
        std::vector<float> want(c), got(c + 3, 12345.f);
        ref.fn(pixels, c, x.data(), want.data());
        k.fn(pixels, c, x.data(), got.data());
        mc_test::check_close(ctx, got.data(), want.data(), c, 1e-6f + 4e-7f * float(pixels),
                             1e-5f,
                             "pixels=" + std::to_string(pixels) + " c=" + std::to_string(c) +
                                 " seed=42");
        for (size_t j = c; j < c + 3; ++j) {
          if (got[j] != 12345.f) ctx.fail("wrote past the end, c=" + std::to_string(c));
        }
      }
    }
  });
}
