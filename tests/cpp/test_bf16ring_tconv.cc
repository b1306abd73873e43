// Every bf16ring_tconv variant vs the plain reference: pixel counts around the 4-pixel tile,
// channel tails, kt 1..5, every activation, channel sums, guard values past the end. The
// rounded ring output is bit-exact (integer rule of base/bf16.h), including ties and values
// that round up into the next binade; the conv output is within float summation tolerance.
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/bf16.h"
#include "harness.h"
#include "kernel_variants.h"
#include "kernels/bf16ring_tconv/bf16ring_tconv.h"

namespace {

std::vector<uint16_t> random_bf16(std::mt19937& gen, size_t n) {
  std::uniform_real_distribution<float> d(-3.f, 3.f);
  std::vector<uint16_t> v(n);
  for (auto& x : v) x = mc::to_bf16(d(gen));
  return v;
}

}  // namespace

MC_TEST(bf16_rounding_rule) {
  // ties to even, round up across the mantissa, exact values unchanged
  const uint32_t cases[][2] = {{0x3F808000u, 0x3F80u}, {0x3F818000u, 0x3F82u},
                               {0x3F808001u, 0x3F81u}, {0x3F7FFFFFu, 0x3F80u},
                               {0xBF800000u, 0xBF80u}, {0x00000000u, 0x0000u}};
  for (const auto& c : cases) {
    float x;
    std::memcpy(&x, &c[0], 4);
    if (mc::to_bf16(x) != c[1]) ctx.fail("to_bf16 of bits " + std::to_string(c[0]));
    const float back = mc::from_bf16(uint16_t(c[1]));
    if (mc::to_bf16(back) != c[1]) ctx.fail("bf16 values must round to themselves");
  }
}

MC_TEST(bf16ring_tconv_all_variants_match_reference) {
  const size_t chans[] = {1, 3, 7, 8, 9, 15, 16, 17, 33, 100};
  const size_t pixels[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 121};
  const auto& ref = mc_test::reference_of(mc::bf16ring_tconv_kernels());
  const float nan = std::numeric_limits<float>::quiet_NaN();
  mc_test::for_each_variant(ctx, mc::bf16ring_tconv_kernels(),
                            [&](const mc::Bf16RingTConvKernel& kn) {
    std::mt19937 gen(13);
    int r = 0;
    for (size_t C : chans) {
      for (size_t P : pixels) {
        for (size_t kt : {1, 2, 3, 5}) {
          if ((r++ % 3) != 0 && P > 9) continue;  // subsample the larger planes
          const auto act = static_cast<mc::Act>(gen() % size_t(mc::Act::kCount));
          std::vector<std::vector<uint16_t>> past(kt - 1);
          std::vector<const uint16_t*> pp(kt);
          for (size_t t = 0; t + 1 < kt; ++t) {
            past[t] = random_bf16(gen, P * C);
            pp[t] = past[t].data();
          }
          auto cur = mc_test::random_vector(gen, P * C, -3.f, 3.f);
          const uint32_t tie = 0x3F808000u;  // halfway between two bfloat16 values
          std::memcpy(&cur[0], &tie, 4);
          const auto w = mc_test::random_vector(gen, kt * C);
          const auto b = mc_test::random_vector(gen, C);
          std::vector<float> want(P * C), want_sum(C), got(P * C + 1, nan), sum(C + 1, nan);
          std::vector<uint16_t> want16(P * C), got16(P * C + 1, 0xABCD);
          got[P * C] = 12345.f;
          sum[C] = 12345.f;
          ref.fn(P, C, kt, pp.data(), cur.data(), want16.data(), w.data(), b.data(),
                 want.data(), act, want_sum.data());
          const bool with_sum = gen() % 2;
          kn.fn(P, C, kt, pp.data(), cur.data(), got16.data(), w.data(), b.data(), got.data(),
                act, with_sum ? sum.data() : nullptr);
          const std::string d = "P=" + std::to_string(P) + " C=" + std::to_string(C) +
                                " kt=" + std::to_string(kt) + " act=" + mc::kActNames[size_t(act)];
          mc_test::check_close(ctx, got.data(), want.data(), P * C, 1e-6f * kt, 1e-5f, d);
          if (std::memcmp(got16.data(), want16.data(), P * C * sizeof(uint16_t)) != 0) {
            ctx.fail(d + ": ring output differs from the reference rounding");
          }
          if (with_sum) {
            mc_test::check_close(ctx, sum.data(), want_sum.data(), C, 1e-5f * kt * P, 1e-5f,
                                 d + " channel_sum");
          } else if (!std::isnan(sum[0])) {
            ctx.fail(d + ": touched channel_sum");
          }
          if (got[P * C] != 12345.f || sum[C] != 12345.f || got16[P * C] != 0xABCD) {
            ctx.fail(d + ": wrote past the end");
          }
        }
      }
    }
  });
}
