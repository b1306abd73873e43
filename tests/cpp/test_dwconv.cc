// Every dwconv variant vs the plain reference: odd sizes, channel tails, strides 1/2, kernels
// 1/3/5 (and a non-square one), kt 1/3/5 with null frames, TF SAME and other paddings, every
// activation, row ranges (two halves == whole, rows outside stay untouched), channel sums and
// guard values past the end of the output.
#include <cmath>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "kernel_variants.h"
#include "kernels/dwconv/dwconv.h"

namespace {

constexpr float kGuard = 12345.f;

struct Case {
  mc::DwConvParams p;
  std::vector<std::vector<float>> frames;  // empty = null frame
  std::vector<float> w, b;
  std::string desc;
};

uint32_t same_out(uint32_t n, uint32_t s) { return (n + s - 1) / s; }
uint32_t same_pad(uint32_t n, uint32_t s, uint32_t k) {
  const long out = same_out(n, s);
  const long total = std::max(0L, (out - 1) * long(s) + long(k) - long(n));
  return uint32_t(total / 2);
}

Case make_case(std::mt19937& gen, uint32_t H, uint32_t W, uint32_t C, uint32_t kt, uint32_t kh,
               uint32_t kw, uint32_t S, mc::Act act, bool same) {
  Case k;
  mc::DwConvParams& p = k.p;
  p.in_h = H;
  p.in_w = W;
  p.channels = C;
  p.kt = kt;
  p.kh = kh;
  p.kw = kw;
  p.stride = S;
  if (same) {
    p.out_h = same_out(H, S);
    p.out_w = same_out(W, S);
    p.pad_top = same_pad(H, S, kh);
    p.pad_left = same_pad(W, S, kw);
  } else {  // other paddings: zero (VALID-like, clipped to >= 1 output) or full (k - 1)
    const bool full = gen() % 2;
    p.pad_top = full ? kh - 1 : 0;
    p.pad_left = full ? kw - 1 : 0;
    const long oh = (long(H) + 2 * p.pad_top - kh) / long(S) + 1;
    const long ow = (long(W) + 2 * p.pad_left - kw) / long(S) + 1;
    p.out_h = uint32_t(std::max(1L, oh));
    p.out_w = uint32_t(std::max(1L, ow));
  }
  p.oy_begin = 0;
  p.oy_end = p.out_h;
  p.act = act;
  k.frames.resize(kt);
  for (uint32_t t = 0; t < kt; ++t) {
    const bool null_frame = kt > 1 && gen() % 3 == 0;
    if (!null_frame) k.frames[t] = mc_test::random_vector(gen, size_t(H) * W * C, -2.f, 2.f);
  }
  k.w = mc_test::random_vector(gen, size_t(kt) * kh * kw * C);
  k.b = mc_test::random_vector(gen, C);
  k.desc = "H=" + std::to_string(H) + " W=" + std::to_string(W) + " C=" + std::to_string(C) +
           " kt=" + std::to_string(kt) + " k=" + std::to_string(kh) + "x" + std::to_string(kw) +
           " s=" + std::to_string(S) + " pad=" + std::to_string(p.pad_top) + "," +
           std::to_string(p.pad_left) + " act=" + mc::kActNames[size_t(act)];
  return k;
}

std::vector<const float*> frame_ptrs(const Case& k) {
  std::vector<const float*> f;
  for (const auto& v : k.frames) f.push_back(v.empty() ? nullptr : v.data());
  return f;
}

// Runs fn over rows [b, e) into out (size n + 1 guard) and sum (C + 1 guard).
void run_rows(mc::DwConvFn fn, const Case& k, uint32_t b, uint32_t e, float* out, float* sum) {
  mc::DwConvParams p = k.p;
  p.oy_begin = b;
  p.oy_end = e;
  const auto f = frame_ptrs(k);
  fn(&p, f.data(), k.w.data(), k.b.data(), out, sum);
}

void check_case(mc_test::Context& ctx, const mc::DwConvKernel& ref, const mc::DwConvKernel& kn,
                const Case& k, std::mt19937& gen) {
  const mc::DwConvParams& p = k.p;
  const size_t C = p.channels, row = size_t(p.out_w) * C, n = size_t(p.out_h) * row;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float taps = float(p.kt * p.kh * p.kw);
  std::vector<float> want(n, nan), want_sum(C);
  run_rows(ref.fn, k, 0, p.out_h, want.data(), want_sum.data());

  // whole range, with sums
  std::vector<float> got(n + 1, nan), sum(C + 1, nan);
  got[n] = kGuard;
  sum[C] = kGuard;
  run_rows(kn.fn, k, 0, p.out_h, got.data(), sum.data());
  mc_test::check_close(ctx, got.data(), want.data(), n, 1e-6f * taps, 1e-5f, k.desc + " out");
  mc_test::check_close(ctx, sum.data(), want_sum.data(), C, 1e-5f * taps * p.out_h * p.out_w,
                       1e-5f, k.desc + " channel_sum");
  if (got[n] != kGuard || sum[C] != kGuard) ctx.fail(k.desc + ": wrote past the end");

  // two halves (no sum for the first, sum for the second) == whole; other rows untouched
  const uint32_t mid = p.out_h > 0 ? uint32_t(gen() % (p.out_h + 1)) : 0;
  std::vector<float> got2(n + 1, nan), sum2(C + 1, nan);
  got2[n] = kGuard;
  sum2[C] = kGuard;
  run_rows(kn.fn, k, 0, mid, got2.data(), nullptr);
  for (size_t i = size_t(mid) * row; i < n; ++i) {
    if (!std::isnan(got2[i])) {
      ctx.fail(k.desc + ": wrote a row outside [0, " + std::to_string(mid) + ")");
      break;
    }
  }
  run_rows(kn.fn, k, mid, p.out_h, got2.data(), sum2.data());
  mc_test::check_close(ctx, got2.data(), got.data(), n, 0.f, 0.f, k.desc + " halves");
  std::vector<float> half_sum(C, 0.f);
  for (size_t i = size_t(mid) * row; i < n; ++i) half_sum[i % C] += want[i];
  mc_test::check_close(ctx, sum2.data(), half_sum.data(), C, 1e-5f * taps * p.out_h * p.out_w,
                       1e-5f, k.desc + " half channel_sum mid=" + std::to_string(mid));
  if (got2[n] != kGuard || sum2[C] != kGuard) ctx.fail(k.desc + ": wrote past the end");
}

}  // namespace

MC_TEST(dwconv_all_variants_match_reference) {
  const uint32_t sizes[] = {1, 2, 3, 5, 7, 8, 11, 16, 17, 26};
  const uint32_t chans[] = {1, 3, 7, 8, 9, 15, 16, 17, 33, 100};
  const auto& ref = mc_test::reference_of(mc::dwconv_kernels());
  mc_test::for_each_variant(ctx, mc::dwconv_kernels(), [&](const mc::DwConvKernel& kn) {
    std::mt19937 gen(7);
    int cases = 0;
    // every channel count x kernel x stride once (kt = 1, the hot (2+1)D spatial path)
    for (uint32_t C : chans) {
      for (uint32_t k : {3u, 5u}) {
        for (uint32_t S : {1u, 2u}) {
          const uint32_t H = sizes[gen() % 10], W = sizes[gen() % 10];
          const auto act = static_cast<mc::Act>(gen() % size_t(mc::Act::kCount));
          check_case(ctx, ref, kn, make_case(gen, H, W, C, 1, k, k, S, act, true), gen);
          ++cases;
        }
      }
    }
    // random mix: kt 1/3/5 with null frames, other kernels and paddings
    for (int r = 0; r < 160; ++r) {
      const uint32_t H = sizes[gen() % 10], W = sizes[gen() % 10], C = chans[gen() % 10];
      const uint32_t kts[] = {1, 3, 5};
      const uint32_t kt = kts[gen() % 3];
      uint32_t kh = (gen() % 2) ? 3 : 5, kw = kh;
      if (r % 10 == 0) kh = kw = 1;
      if (r % 10 == 1) { kh = 3; kw = 1; }
      if (r % 10 == 2) { kh = 2; kw = 4; }
      const uint32_t S = 1 + gen() % 2;
      const auto act = static_cast<mc::Act>(r % size_t(mc::Act::kCount));
      check_case(ctx, ref, kn, make_case(gen, H, W, C, kt, kh, kw, S, act, r % 4 != 3), gen);
      ++cases;
    }
    // larger planes: interior path with long rows (pixel groups, then the smaller groups of
    // the row's remainder: widths 29..37 leave every remainder of 8 at stride 1)
    for (uint32_t S : {1u, 2u}) {
      for (uint32_t k : {3u, 5u}) {
        check_case(ctx, ref, kn, make_case(gen, 23, 29, 24, 1, k, k, S, mc::Act::kHardSwish, true), gen);
        check_case(ctx, ref, kn, make_case(gen, 13, 22, 40, 3, k, k, S, mc::Act::kSwish, true), gen);
        cases += 2;
      }
    }
    for (uint32_t W = 29; W <= 37; ++W) {
      check_case(ctx, ref, kn, make_case(gen, 21, W, 17, 1, 5, 5, 1, mc::Act::kRelu, true), gen);
      check_case(ctx, ref, kn, make_case(gen, 21, W, 17, 1, 3, 3, 1, mc::Act::kIdentity, true),
                 gen);
      cases += 2;
    }
    // small frames at the MoViNet shapes (zero-padded tile path: 6x6/7x7 with 5x5 windows,
    // 11x11 with 3x3, stride 2 into 6x6) and just past the tile budget (19x19 3x3: row path)
    struct Small { uint32_t H, C, k, S; };
    for (const Small& sm : {Small{6, 344, 5, 1}, Small{7, 280, 5, 1}, Small{11, 184, 3, 1},
                            Small{11, 384, 3, 2}, Small{14, 57, 5, 1}, Small{19, 33, 3, 1}}) {
      check_case(ctx, ref, kn, make_case(gen, sm.H, sm.H, sm.C, 1, sm.k, sm.k, sm.S,
                                         mc::Act::kHardSwish, true), gen);
      // one live frame of three: the tile path reads the weights of that frame
      Case k = make_case(gen, sm.H, sm.H + 1, sm.C, 3, sm.k, sm.k, sm.S, mc::Act::kRelu, true);
      k.frames[0].clear();
      k.frames[2].clear();
      if (k.frames[1].empty()) {
        k.frames[1] = mc_test::random_vector(gen, size_t(sm.H) * (sm.H + 1) * sm.C, -2.f, 2.f);
      }
      check_case(ctx, ref, kn, k, gen);
      cases += 2;
    }
    (void)cases;
  });
}

MC_TEST(dwconv_all_null_frames_give_act_bias) {
  const auto& ref = mc_test::reference_of(mc::dwconv_kernels());
  mc_test::for_each_variant(ctx, mc::dwconv_kernels(), [&](const mc::DwConvKernel& kn) {
    std::mt19937 gen(3);
    Case k = make_case(gen, 6, 5, 11, 3, 3, 3, 1, mc::Act::kRelu6, true);
    for (auto& f : k.frames) f.clear();
    check_case(ctx, ref, kn, k, gen);
  });
}
