// Every avgpool variant vs the plain reference: 3x3 (and 2x2, 1x3, 5x5) windows, strides 1/2,
// SAME padding with excluded cells, channel tails, row ranges, guard values past the end.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/avgpool/avgpool.h"

MC_TEST(avgpool_all_variants_match_reference) {
  const uint32_t sizes[] = {1, 2, 3, 5, 7, 8, 11, 16, 17};
  const uint32_t chans[] = {1, 3, 7, 8, 9, 15, 16, 17, 33, 100, 192};
  const auto& ref = mc_test::reference_of(mc::avgpool_kernels());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mc_test::for_each_variant(ctx, mc::avgpool_kernels(), [&](const mc::AvgPoolKernel& kn) {
    std::mt19937 gen(9);
    for (int r = 0; r < 150; ++r) {
      mc::AvgPoolParams p{};
      p.in_h = sizes[gen() % 9];
      p.in_w = sizes[gen() % 9];
      p.channels = chans[r % 11];
      const uint32_t shapes[4][2] = {{3, 3}, {2, 2}, {1, 3}, {5, 5}};
      const auto& sh = shapes[r % 5 == 4 ? 1 + gen() % 3 : 0];
      p.kh = sh[0];
      p.kw = sh[1];
      p.stride = r % 3 == 0 ? 1 : 2;
      p.out_h = (p.in_h + p.stride - 1) / p.stride;
      p.out_w = (p.in_w + p.stride - 1) / p.stride;
      p.pad_top = uint32_t(std::max(0L, long(p.out_h - 1) * p.stride + p.kh - long(p.in_h)) / 2);
      p.pad_left = uint32_t(std::max(0L, long(p.out_w - 1) * p.stride + p.kw - long(p.in_w)) / 2);
      const auto x = mc_test::random_vector(gen, size_t(p.in_h) * p.in_w * p.channels, -2.f, 2.f);
      const size_t row = size_t(p.out_w) * p.channels, n = size_t(p.out_h) * row;
      std::vector<float> want(n, nan), got(n + 1, nan);
      got[n] = 12345.f;
      p.oy_begin = 0;
      p.oy_end = p.out_h;
      ref.fn(&p, x.data(), want.data());
      const uint32_t mid = uint32_t(gen() % (p.out_h + 1));
      p.oy_end = mid;
      kn.fn(&p, x.data(), got.data());
      const std::string d = "H=" + std::to_string(p.in_h) + " W=" + std::to_string(p.in_w) +
                            " C=" + std::to_string(p.channels) + " k=" + std::to_string(p.kh) +
                            "x" + std::to_string(p.kw) + " s=" + std::to_string(p.stride);
      for (size_t i = size_t(mid) * row; i < n; ++i) {
        if (!std::isnan(got[i])) {
          ctx.fail(d + ": wrote outside its rows");
          break;
        }
      }
      p.oy_begin = mid;
      p.oy_end = p.out_h;
      kn.fn(&p, x.data(), got.data());
      mc_test::check_close(ctx, got.data(), want.data(), n, 1e-6f, 1e-5f, d);
      if (got[n] != 12345.f) ctx.fail(d + ": wrote past the end");
    }
  });
}
