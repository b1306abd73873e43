// Every tconv variant vs the plain reference: pixel counts around the 4-pixel tile, channel
// tails, kt 1..5, every activation, channel sums, guard values past the end.
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/tconv/tconv.h"

MC_TEST(tconv_all_variants_match_reference) {
  const size_t chans[] = {1, 3, 7, 8, 9, 15, 16, 17, 33, 100};
  const size_t pixels[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 121};
  const auto& ref = mc_test::reference_of(mc::tconv_kernels());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mc_test::for_each_variant(ctx, mc::tconv_kernels(), [&](const mc::TConvKernel& kn) {
    std::mt19937 gen(11);
    int r = 0;
    for (size_t C : chans) {
      for (size_t P : pixels) {
        for (size_t kt : {1, 2, 3, 5}) {
          if ((r++ % 3) != 0 && P > 9) continue;  // subsample the larger planes
          const auto act = static_cast<mc::Act>(gen() % size_t(mc::Act::kCount));
          std::vector<std::vector<float>> fr(kt);
          std::vector<const float*> fp(kt);
          for (size_t t = 0; t < kt; ++t) {
            fr[t] = mc_test::random_vector(gen, P * C, -3.f, 3.f);
            fp[t] = fr[t].data();
          }
          const auto w = mc_test::random_vector(gen, kt * C);
          const auto b = mc_test::random_vector(gen, C);
          std::vector<float> want(P * C), want_sum(C), got(P * C + 1, nan), sum(C + 1, nan);
          got[P * C] = 12345.f;
          sum[C] = 12345.f;
          ref.fn(P, C, kt, fp.data(), w.data(), b.data(), want.data(), act, want_sum.data());
          const bool with_sum = gen() % 2;
          kn.fn(P, C, kt, fp.data(), w.data(), b.data(), got.data(), act,
                with_sum ? sum.data() : nullptr);
          const std::string d = "P=" + std::to_string(P) + " C=" + std::to_string(C) +
                                " kt=" + std::to_string(kt) + " act=" + mc::kActNames[size_t(act)];
          mc_test::check_close(ctx, got.data(), want.data(), P * C, 1e-6f * kt, 1e-5f, d);
          if (with_sum) {
            mc_test::check_close(ctx, sum.data(), want_sum.data(), C, 1e-5f * kt * P, 1e-5f,
                                 d + " channel_sum");
          } else if (!std::isnan(sum[0])) {
            ctx.fail(d + ": touched channel_sum");
          }
          if (got[P * C] != 12345.f || sum[C] != 12345.f) ctx.fail(d + ": wrote past the end");
        }
      }
    }
  });
}
