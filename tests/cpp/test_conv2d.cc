// Every conv2d (stem) variant vs the plain reference: in_c 1..4, out_c around the channel
// tiles (8/16/24 and tails), kernels 1/3/5, strides 1/2, SAME and other paddings, every
// activation, row ranges and guard values past the end.
#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/conv2d/conv2d.h"

MC_TEST(conv2d_all_variants_match_reference) {
  const uint32_t sizes[] = {1, 2, 3, 5, 7, 8, 11, 16, 17, 24};
  const uint32_t outc[] = {1, 3, 7, 8, 9, 15, 16, 17, 24, 33};
  const auto& ref = mc_test::reference_of(mc::conv2d_kernels());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mc_test::for_each_variant(ctx, mc::conv2d_kernels(), [&](const mc::Conv2dKernel& kn) {
    std::mt19937 gen(5);
    for (int r = 0; r < 120; ++r) {
      mc::Conv2dParams p{};
      p.in_h = sizes[gen() % 10];
      p.in_w = sizes[gen() % 10];
      p.in_c = r % 4 == 0 ? 1 + gen() % 4 : 3;
      p.out_c = outc[r % 10];
      p.kh = p.kw = r % 7 == 0 ? 1 : (r % 7 == 1 ? 5 : 3);
      p.stride = r % 3 == 0 ? 1 : 2;
      if (r % 5 != 4) {  // TF SAME
        p.out_h = (p.in_h + p.stride - 1) / p.stride;
        p.out_w = (p.in_w + p.stride - 1) / p.stride;
        p.pad_top = uint32_t(std::max(0L, long(p.out_h - 1) * p.stride + p.kh - long(p.in_h)) / 2);
        p.pad_left = uint32_t(std::max(0L, long(p.out_w - 1) * p.stride + p.kw - long(p.in_w)) / 2);
      } else {
        p.pad_top = p.pad_left = p.kh - 1;
        p.out_h = (p.in_h + 2 * p.pad_top - p.kh) / p.stride + 1;
        p.out_w = (p.in_w + 2 * p.pad_left - p.kw) / p.stride + 1;
      }
      p.act = static_cast<mc::Act>(r % size_t(mc::Act::kCount));
      const auto x = mc_test::random_vector(gen, size_t(p.in_h) * p.in_w * p.in_c, -2.f, 2.f);
      const auto w = mc_test::random_vector(gen, size_t(p.kh) * p.kw * p.in_c * p.out_c);
      const auto b = mc_test::random_vector(gen, p.out_c);
      const size_t row = size_t(p.out_w) * p.out_c, n = size_t(p.out_h) * row;
      std::vector<float> want(n, nan), got(n + 1, nan);
      got[n] = 12345.f;
      p.oy_begin = 0;
      p.oy_end = p.out_h;
      ref.fn(&p, x.data(), w.data(), b.data(), want.data());
      const uint32_t mid = uint32_t(gen() % (p.out_h + 1));
      p.oy_end = mid;
      kn.fn(&p, x.data(), w.data(), b.data(), got.data());
      const std::string d = "H=" + std::to_string(p.in_h) + " W=" + std::to_string(p.in_w) +
                            " ic=" + std::to_string(p.in_c) + " oc=" + std::to_string(p.out_c) +
                            " k=" + std::to_string(p.kh) + " s=" + std::to_string(p.stride) +
                            " act=" + mc::kActNames[size_t(p.act)];
      for (size_t i = size_t(mid) * row; i < n; ++i) {
        if (!std::isnan(got[i])) {
          ctx.fail(d + ": wrote outside its rows");
          break;
        }
      }
      p.oy_begin = mid;
      p.oy_end = p.out_h;
      kn.fn(&p, x.data(), w.data(), b.data(), got.data());
      const float taps = float(p.kh * p.kw * p.in_c);
      mc_test::check_close(ctx, got.data(), want.data(), n, 1e-6f * taps, 1e-5f, d);
      if (got[n] != 12345.f) ctx.fail(d + ": wrote past the end");
    }
  });
}
