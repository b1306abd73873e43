// Whole-engine checks in C++ (so they also run under ASan/UBSan and qemu-aarch64): a small
// random MoViNet-like model, every kernel ISA vs the scalar kernels, streaming vs chunking,
// state export/import, many streams, and the base (whole-clip) path.
#include <cmath>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "harness.h"
#include "runtime/engine.h"

namespace {

struct Spec {
  uint32_t in, out, expand, kt, k, stride;
};

mc::HugePageVector<float> rnd(std::mt19937& g, size_t n, float scale) {
  std::normal_distribution<float> d(0.f, scale);
  mc::HugePageVector<float> v(n);
  for (auto& x : v) x = d(g);
  return v;
}

void gemm_layer(mc::PackedGemm* p, std::mt19937& g, uint32_t k, uint32_t n, float gain = 1.f) {
  auto w = rnd(g, size_t(k) * n, gain * std::sqrt(2.f / float(k)));
  auto b = rnd(g, n, 0.1f);
  mc::pack_gemm(p, n, k, w.data(), b.data());
}

std::shared_ptr<mc::Model> make_model(bool causal, bool split, mc::SeType se, bool pe,
                                      uint32_t seed) {
  std::mt19937 g(seed);
  auto m = std::make_shared<mc::Model>();
  m->config.model_id = "test";
  m->config.causal = causal;
  m->config.split_2plus1d = split;
  m->config.se = se;
  m->config.act = mc::Act::kHardSwish;
  m->config.gate = mc::Act::kHardSigmoid;
  m->config.classifier_act = mc::Act::kSwish;
  m->config.positional_encoding = pe;
  m->config.num_classes = 5;
  m->stem_c = 8;
  m->stem_w = rnd(g, 27 * 8, 0.3f);
  m->stem_b = rnd(g, 8, 0.1f);
  const Spec specs[] = {{8, 8, 16, 1, 5, 2}, {8, 16, 24, 3, 3, 2}, {16, 16, 32, 5, 3, 1},
                        {16, 24, 40, 3, 3, 1}, {24, 24, 48, 1, 3, 1}};
  int idx = 0;
  for (const Spec& s : specs) {
    mc::LayerModel l;
    l.name = "block0_layer" + std::to_string(idx++);
    l.in_c = s.in;
    l.out_c = s.out;
    l.expand = s.expand;
    l.kt = s.kt;
    l.kh = l.kw = s.k;
    l.stride = s.stride;
    l.skip = s.stride == 2 ? mc::SkipType::kPoolProject
             : s.in != s.out ? mc::SkipType::kProject
                             : mc::SkipType::kIdentity;
    gemm_layer(&l.expand_w, g, s.in, s.expand);
    const size_t taps = split ? size_t(s.k) * s.k : size_t(s.kt) * s.k * s.k;
    l.feat_w = rnd(g, taps * s.expand, 0.4f);
    l.feat_b = rnd(g, s.expand, 0.1f);
    if (split && s.kt > 1) {
      l.temp_w = rnd(g, size_t(s.kt) * s.expand, 0.5f);
      l.temp_b = rnd(g, s.expand, 0.1f);
    }
    if (se != mc::SeType::kNone) {
      l.se_in = se == mc::SeType::k2plus3d ? 2 * s.expand : s.expand;
      l.se_hidden = 8;
      gemm_layer(&l.se_reduce, g, l.se_in, l.se_hidden);
      gemm_layer(&l.se_expand, g, l.se_hidden, s.expand);
      l.pos_scale = pe ? 0.7f : 0.f;
    }
    gemm_layer(&l.project, g, s.expand, s.out, 0.3f);
    if (l.skip != mc::SkipType::kIdentity) gemm_layer(&l.skip_w, g, s.in, s.out);
    m->layers.push_back(std::move(l));
  }
  gemm_layer(&m->head, g, 24, 32);
  gemm_layer(&m->cls_hidden, g, 32, 64);
  gemm_layer(&m->cls_logits, g, 64, 5);
  return m;
}

std::vector<float> frames(uint32_t t, uint32_t h, uint32_t w, uint32_t seed) {
  std::mt19937 g(seed);
  std::uniform_real_distribution<float> d(0.f, 1.f);
  std::vector<float> v(size_t(t) * h * w * 3);
  for (auto& x : v) x = d(g);
  return v;
}

constexpr uint32_t kH = 29, kW = 23, kT = 6;

struct Variant {
  const char* name;
  bool causal, split;
  mc::SeType se;
  bool pe;
};
const Variant kVariants[] = {
    {"stream_2plus1d_2plus3d_pe", true, true, mc::SeType::k2plus3d, true},
    {"stream_3d_se3d", true, false, mc::SeType::k3d, false},
    {"stream_2plus1d_se2d", true, true, mc::SeType::k2d, false},
    {"stream_2plus1d_no_se", true, true, mc::SeType::kNone, false},
};

}  // namespace

MC_TEST(engine_every_isa_matches_scalar_kernels) {
  const uint64_t isas[] = {mc::detected_isa(), mc::kIsaScalar};
  for (const Variant& v : kVariants) {
    auto model = make_model(v.causal, v.split, v.se, v.pe, 7);
    auto clip = frames(kT, kH, kW, 1);
    std::vector<float> out[2];
    for (int i = 0; i < 2; ++i) {
      mc::Engine e(model, kH, kW, 1, 1, isas[i]);
      out[i].assign(size_t(kT) * 5, 0.f);
      e.step(clip.data(), false, kT, true, out[i].data());
    }
    float scale = 0.f;
    for (float x : out[1]) scale = std::fmax(scale, std::fabs(x));
    ctx.scope = std::string(v.name) + " " + mc::isa_name(isas[0]) + " vs scalar";
    mc_test::check_close(ctx, out[0].data(), out[1].data(), out[0].size(), 2e-5f * scale, 0.f,
                         "logits");
    for (float x : out[0]) {
      if (!std::isfinite(x)) ctx.fail("non-finite logits");
    }
  }
}

MC_TEST(engine_chunked_threads_and_state_round_trip) {
  for (const Variant& v : kVariants) {
    ctx.scope = v.name;
    auto model = make_model(v.causal, v.split, v.se, v.pe, 11);
    auto clip = frames(kT, kH, kW, 2);
    const size_t fpx = size_t(kH) * kW * 3;
    mc::Engine ref(model, kH, kW, 1);
    std::vector<float> want(size_t(kT) * 5);
    ref.step(clip.data(), false, kT, true, want.data());
    // frame by frame on 3 threads, snapshotting the state after frame 2 into another engine
    mc::Engine a(model, kH, kW, 3);
    mc::Engine b(model, kH, kW, 2);
    std::vector<float> got(size_t(kT) * 5);
    for (uint32_t f = 0; f < kT; ++f) {
      if (f == 3) {
        auto& sa = a.state();
        auto& sb = b.state();
        for (size_t j = 0; j < sa.tensors().size(); ++j) {
          size_t n = 1;
          for (auto d : sa.tensors()[j].shape) n *= size_t(d);
          std::vector<float> buf(n);  // int32 counters fit in float-sized slots
          sa.export_tensor(j, buf.data());
          sb.import_tensor(j, buf.data());
        }
      }
      mc::Engine& e = f < 3 ? a : b;
      e.step(clip.data() + f * fpx, false, 1, false, got.data() + f * 5);
    }
    float scale = 0.f;
    for (float x : want) scale = std::fmax(scale, std::fabs(x));
    mc_test::check_close(ctx, got.data(), want.data(), got.size(), 2e-5f * scale, 0.f,
                         "threads + snapshot");
  }
}

MC_TEST(engine_many_streams_match_single_streams) {
  auto model = make_model(true, true, mc::SeType::k2plus3d, true, 5);
  const uint32_t n = 3;
  const size_t fpx = size_t(kH) * kW * 3;
  std::vector<std::vector<float>> clips;
  std::vector<float> want(size_t(n) * kT * 5);
  for (uint32_t s = 0; s < n; ++s) {
    clips.push_back(frames(kT, kH, kW, 100 + s));
    mc::Engine e(model, kH, kW, 1);
    std::vector<float> out(size_t(kT) * 5);
    e.step(clips[s].data(), false, kT, true, out.data());
    for (uint32_t f = 0; f < kT; ++f) {
      for (int c = 0; c < 5; ++c) want[(size_t(f) * n + s) * 5 + c] = out[f * 5 + c];
    }
  }
  float scale = 0.f;
  for (float x : want) scale = std::fmax(scale, std::fabs(x));
  // 1 thread: streams batched per layer; 2 threads: lanes of 2 + 1 streams; 3: one each.
  for (uint32_t threads : {1u, 2u, 3u}) {
    mc::Engine multi(model, kH, kW, threads, n);
    ++ctx.checks;
    if (multi.lanes() != (threads > 1 ? threads : 0u)) ctx.fail("unexpected lane count");
    std::vector<float> batch(n * fpx), got(size_t(n) * kT * 5);
    for (uint32_t f = 0; f < kT; ++f) {
      for (uint32_t s = 0; s < n; ++s) {
        std::copy(clips[s].begin() + f * fpx, clips[s].begin() + (f + 1) * fpx,
                  batch.begin() + s * fpx);
      }
      multi.step_streams(batch.data(), false, got.data() + size_t(f) * n * 5);
    }
    mc_test::check_close(ctx, got.data(), want.data(), got.size(), 2e-5f * scale, 0.f,
                         "step_streams");
  }
}

MC_TEST(engine_base_clip_runs_and_matches_across_isas) {
  for (bool split : {false, true}) {
    auto model = make_model(false, split, split ? mc::SeType::k2plus3d : mc::SeType::k3d, false,
                            9);
    auto clip = frames(kT, kH, kW, 3);
    std::vector<float> out[2] = {std::vector<float>(5), std::vector<float>(5)};
    const uint64_t isas[] = {mc::detected_isa(), mc::kIsaScalar};
    for (int i = 0; i < 2; ++i) {
      mc::Engine e(model, kH, kW, 2, 1, isas[i]);
      e.run_clip(clip.data(), false, kT, out[i].data());
    }
    float scale = 0.f;
    for (float x : out[1]) scale = std::fmax(scale, std::fabs(x));
    ctx.scope = split ? "base 2plus1d" : "base 3d";
    mc_test::check_close(ctx, out[0].data(), out[1].data(), 5, 2e-5f * scale, 0.f, "run_clip");
  }
}
