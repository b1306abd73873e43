// Every variant of both temporal conv ops (float32 and bfloat16 rings) vs the plain reference:
// pixel counts around the 4-pixel tile, channel tails, kt 1..5, every activation, channel
// sums, guard values past the end, the float32 kernel with and without the ring copy. The ring
// output is bit-exact (a copy, or the integer
// rounding rule of base/bf16.h, ties included); the conv output is within float summation
// tolerance.
#include <cstring>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "base/bf16.h"
#include "harness.h"
#include "kernel_variants.h"
#include "kernels/tconv/tconv.h"

namespace {

template <class E>
E ring_value(float x) {
  if constexpr (std::is_same_v<E, float>) {
    return x;
  } else {
    return mc::to_bf16(x);
  }
}

template <class E, class List>
void check_variants(mc_test::Context& ctx, const List& list) {
  const size_t chans[] = {1, 3, 7, 8, 9, 15, 16, 17, 33, 100};
  const size_t pixels[] = {1, 2, 3, 4, 5, 7, 8, 9, 13, 64, 121};
  const auto& ref = mc_test::reference_of(list);
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const E guard = ring_value<E>(12345.f);
  mc_test::for_each_variant(ctx, list, [&](const auto& kn) {
    std::mt19937 gen(11);
    int r = 0;
    for (size_t C : chans) {
      for (size_t P : pixels) {
        for (size_t kt : {1, 2, 3, 5}) {
          if ((r++ % 3) != 0 && P > 9) continue;  // subsample the larger planes
          const auto act = static_cast<mc::Act>(gen() % size_t(mc::Act::kCount));
          std::vector<std::vector<E>> past(kt - 1);
          std::vector<const E*> pp(kt);
          for (size_t t = 0; t + 1 < kt; ++t) {
            for (float x : mc_test::random_vector(gen, P * C, -3.f, 3.f)) {
              past[t].push_back(ring_value<E>(x));
            }
            pp[t] = past[t].data();
          }
          auto cur = mc_test::random_vector(gen, P * C, -3.f, 3.f);
          const uint32_t tie = 0x3F808000u;  // halfway between two bfloat16 values
          std::memcpy(&cur[0], &tie, 4);
          const auto w = mc_test::random_vector(gen, kt * C);
          const auto b = mc_test::random_vector(gen, C);
          std::vector<float> want(P * C), want_sum(C), got(P * C + 1, nan), sum(C + 1, nan);
          std::vector<E> want_ring(P * C), got_ring(P * C + 1, guard);
          got[P * C] = 12345.f;
          sum[C] = 12345.f;
          ref.fn(P, C, kt, pp.data(), cur.data(), want_ring.data(), w.data(), b.data(),
                 want.data(), act, want_sum.data());
          const bool with_sum = gen() % 2;
          const bool copy = !std::is_same_v<E, float> || gen() % 2;  // float: cur_out optional
          if (!copy) want_ring.assign(P * C, guard);
          kn.fn(P, C, kt, pp.data(), cur.data(), copy ? got_ring.data() : nullptr, w.data(),
                b.data(), got.data(), act, with_sum ? sum.data() : nullptr);
          const std::string d = "P=" + std::to_string(P) + " C=" + std::to_string(C) +
                                " kt=" + std::to_string(kt) + " act=" + mc::kActNames[size_t(act)];
          mc_test::check_close(ctx, got.data(), want.data(), P * C, 1e-6f * kt, 1e-5f, d);
          if (std::memcmp(got_ring.data(), want_ring.data(), P * C * sizeof(E)) != 0) {
            ctx.fail(d + ": ring output differs from the reference");
          }
          if (with_sum) {
            mc_test::check_close(ctx, sum.data(), want_sum.data(), C, 1e-5f * kt * P, 1e-5f,
                                 d + " channel_sum");
          } else if (!std::isnan(sum[0])) {
            ctx.fail(d + ": touched channel_sum");
          }
          if (got[P * C] != 12345.f || sum[C] != 12345.f ||
              std::memcmp(&got_ring[P * C], &guard, sizeof(E)) != 0) {
            ctx.fail(d + ": wrote past the end");
          }
        }
      }
    }
  });
}

}  // namespace

MC_TEST(bf16_rounding_rule) {
  // ties to even, round up across the mantissa, bfloat16 values unchanged
  const uint32_t cases[][2] = {{0x3F808000u, 0x3F80u}, {0x3F818000u, 0x3F82u},
                               {0x3F808001u, 0x3F81u}, {0x3F7FFFFFu, 0x3F80u},
                               {0xBF800000u, 0xBF80u}, {0x00000000u, 0x0000u}};
  for (const auto& c : cases) {
    float x;
    std::memcpy(&x, &c[0], 4);
    if (mc::to_bf16(x) != c[1]) ctx.fail("to_bf16 of bits " + std::to_string(c[0]));
    if (mc::to_bf16(mc::from_bf16(uint16_t(c[1]))) != c[1]) {
      ctx.fail("bf16 values must round to themselves");
    }
  }
}

MC_TEST(tconv_all_variants_match_reference) {
  check_variants<float>(ctx, mc::tconv_kernels());
}

MC_TEST(bf16ring_tconv_all_variants_match_reference) {
  check_variants<uint16_t>(ctx, mc::bf16ring_tconv_kernels());
}
