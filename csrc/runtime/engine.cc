#include "runtime/engine.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string>

namespace mc {
namespace {

// Below this many multiply-adds a kernel call runs on one thread (sync costs more), unless it
// streams at least kMinParallelWeights weights (a GEMV whose weights come from L3 or DRAM each
// frame: two threads keep twice the loads in flight).
constexpr size_t kMinParallelMacs = 1 << 16;
constexpr size_t kMinParallelWeights = 1 << 14;
// Input frame values (range check, uint8 conversion) worth splitting over threads.
constexpr size_t kMinParallelValues = 1 << 15;
// Threads whose per-task verdicts check_input() keeps on the stack (the binding's limit).
constexpr size_t kMaxThreads = 256;
// One contiguous range per thread: the per-call cost of a task (row setup, border columns, a
// partial channel sum) outweighed finer balancing. 2 threads, in-process A/B on Zen 5, 4 -> 1:
// A0 -4.4 %, A1 -10 %, A2 -4.6 %, A3 -3.4 % per frame. The pool still steals a range whose
// thread has not started it.
constexpr size_t kTasksPerThread = 1;
// Relative cost of streaming one operand float through a thread vs one multiply-add (for
// choosing how to split a GEMM).
constexpr size_t kMacsPerFloatRead = 2;
// The SE gate goes into a copy of the projection's weights when that copy is at most this
// fraction of A (scaled otherwise): the copy is made once, on one thread, and the GEMM then
// reads it instead of the packed weights. Zen 5, A2 per layer: blocks 0-1 (A 12-60x the
// weights) gain ~40 %, block 2-3 layers (A ~3x the weights) were slower folded.
constexpr size_t kFoldGateRatio = 8;
// Working-set budget of one batched layer call across streams (see tick()).
constexpr size_t kBatchBytes = 384 * 1024;

size_t div_up(size_t a, size_t b) { return (a + b - 1) / b; }

// [0, items) cut into `tasks` contiguous ranges whose sizes differ by at most one: the pool
// hands each thread a contiguous run of tasks, so uneven ranges would leave one thread late.
struct Ranges {
  size_t items, tasks;
  size_t begin(size_t t) const { return t * items / tasks; }
  size_t end(size_t t) const { return (t + 1) * items / tasks; }
};

Ranges make_ranges(size_t items, size_t max_tasks) {
  return {items, std::max<size_t>(1, std::min(items, max_tasks))};
}

// A GEMM split over threads: ranges of rows (by_rows) or of column tiles.
struct GemmSplit {
  bool by_rows;
  Ranges parts;  // rows, or column tiles
};

// Row ranges make every thread read all weights; column blocks make every thread read all of
// A. Pick the one that leaves the busiest thread the least work, counting the operands it
// streams: deep layers (few pixels, many channels) split columns, early layers rows. Rows are
// cut evenly, not in whole register tiles: a thread's last rows run a smaller tile of the same
// kernel, and 36 rows (A0's last block) as 18 + 18 beat 21 + 15 or an uneven column cut
// (Zen 5, A0 at 2 threads: block 4 projections 7.0-9.0 -> 6.2-8.2 us).
GemmSplit plan_gemm_split(size_t m, size_t n, size_t k, size_t nr, size_t threads) {
  // Columns a thread computes, padded to whole packed panels (a lone last panel runs alone).
  const size_t cols = div_up(n, kGemmNR) * kGemmNR, ct = div_up(n, nr);
  const size_t cols_max = std::min(cols, div_up(ct, threads) * nr), rows = div_up(m, threads);
  const size_t by_rows = rows * cols * k + kMacsPerFloatRead * (cols + rows) * k;
  const size_t by_cols = m * cols_max * k + kMacsPerFloatRead * (cols_max + m) * k;
  const bool split_rows = by_rows <= by_cols;
  return {split_rows, make_ranges(split_rows ? m : ct, threads * kTasksPerThread)};
}

// The input pass over `values` frame values: one range per thread when there are enough to
// split (kMaxThreads at most), else one.
Ranges input_ranges(size_t values, size_t threads) {
  return make_ranges(values, values < kMinParallelValues
                                 ? 1
                                 : std::min(threads, kMaxThreads) * kTasksPerThread);
}

// fn(task, begin, end) over [0, items) in up to threads x kTasksPerThread ranges; returns the
// number of tasks.
template <class F>
size_t parallel_ranges(ThreadPool& pool, size_t items, F&& fn) {
  const Ranges r = make_ranges(items, pool.threads() * kTasksPerThread);
  pool.parallel_for(r.tasks, [&](size_t t, size_t) { fn(t, r.begin(t), r.end(t)); });
  return r.tasks;
}

// channel_sum = the sum of `tasks` per-task partial sums (rows of `channels` floats).
void sum_partials(const float* partial, size_t tasks, size_t channels, float* channel_sum) {
  std::memcpy(channel_sum, partial, channels * sizeof(float));
  for (size_t t = 1; t < tasks; ++t) {
    const float* s = partial + t * channels;
    for (size_t c = 0; c < channels; ++c) channel_sum[c] += s[c];
  }
}

}  // namespace

Kernels::Kernels(uint64_t isa)
    : gemm(get_gemm_kernel(isa).fn),
      qgemm(get_qgemm_kernel(isa).fn),
      quantize(get_quantize_kernel(isa).fn),
      bf16w_gemm(get_bf16w_gemm_kernel(isa).fn),
      dwconv(get_dwconv_kernel(isa).fn),
      tconv(get_tconv_kernel(isa).fn),
      bf16ring_tconv(get_bf16ring_tconv_kernel(isa).fn),
      conv2d(get_conv2d_kernel(isa).fn),
      avgpool(get_avgpool_kernel(isa).fn),
      rowsum(get_rowsum_kernel(isa).fn),
      scale(get_scale_kernel(isa).fn),
      range_check(get_range_check_kernel(isa).fn),
      u8_to_unit(get_u8_to_unit_kernel(isa).fn),
      act(get_act_kernel(isa).fn),
      gemm_name(get_gemm_kernel(isa).name),
      qgemm_name(get_qgemm_kernel(isa).name),
      gemm_nr(get_gemm_kernel(isa).tile_n) {}

Engine::Engine(std::shared_ptr<const Model> model, uint32_t height, uint32_t width,
               uint32_t threads, uint32_t streams, uint64_t isa)
    : model_(std::move(model)),
      geo_(plan_geometry(*model_, height, width)),
      k_(isa),
      pool_(threads) {
  if (height < 8 || width < 8 || height > 4096 || width > 4096) {
    throw std::invalid_argument("input size must be within 8..4096 pixels, got " +
                                std::to_string(height) + "x" + std::to_string(width));
  }
  if (streams < 1 || streams > 4096) {
    throw std::invalid_argument("streams must be within 1..4096, got " + std::to_string(streams));
  }
  if (streams > 1 && !model_->config.causal) {
    throw std::invalid_argument("several streams need a causal (stream) model");
  }
  streams_ = streams;
  prof_.configure(model_->layers.size());
  if (make_lanes(threads, isa)) return;  // the lanes hold the states and scratch
  for (uint32_t b = 0; b < streams; ++b) states_.emplace_back(*model_, geo_);
  const Model& m = *model_;
  size_t act = size_t(geo_.stem_h) * geo_.stem_w * m.stem_c;
  size_t ex = 0, feat = 0, res = 0, pooled = 0, max_e = m.head_c(), max_z = 0, max_r = 0;
  // Int8 input rows: the largest m x round_up(k, 4) of any GEMM (every stream at once).
  auto r4 = [](size_t k) { return qgemm_round_k(k); };
  const size_t head_px = size_t(geo_.head_h) * geo_.head_w;
  size_t q_bytes = std::max({r4(m.head_c()), r4(m.cls_hidden.n), head_px * r4(m.head.k)});
  size_t q_rows = std::max<size_t>(head_px, 1);
  for (size_t i = 0; i < m.layers.size(); ++i) {
    const auto& l = m.layers[i];
    const auto& g = geo_.layers[i];
    const size_t in_px = size_t(g.in_h) * g.in_w, out_px = size_t(g.out_h) * g.out_w;
    q_bytes = std::max({q_bytes, in_px * r4(l.in_c), out_px * r4(l.expand),
                        out_px * r4(l.in_c), r4(l.se_in), r4(l.se_hidden)});
    q_rows = std::max({q_rows, in_px, out_px});
    act = std::max({act, in_px * l.in_c, out_px * l.out_c});
    ex = std::max(ex, in_px * l.expand);
    feat = std::max(feat, out_px * l.expand);
    res = std::max(res, out_px * l.out_c);
    pooled = std::max(pooled, out_px * l.in_c);
    max_e = std::max<size_t>(max_e, l.expand);
    max_z = std::max<size_t>(max_z, l.se_in);
    max_r = std::max<size_t>(max_r, l.se_hidden);
  }
  const size_t b = streams;
  max_e_ = max_e;
  max_z_ = std::max<size_t>(max_z, 1);
  max_r_ = std::max<size_t>(max_r, 1);
  frame_.assign(b * height * width * 3, 0.f);
  act_a_.assign(b * act, 0.f);
  act_b_.assign(b * act, 0.f);
  expand_.assign(b * ex, 0.f);
  feature_.assign(b * feat, 0.f);
  spatial_.assign(m.bf16_ring ? feat : 0, 0.f);  // streams take turns
  residual_.assign(b * res, 0.f);
  pooled_.assign(b * std::max<size_t>(pooled, 1), 0.f);
  z_.assign(b * max_z_, 0.f);
  hidden_.assign(b * max_r_, 0.f);
  gate_.assign(b * max_e, 0.f);
  csum_.assign(b * max_e, 0.f);
  head_.assign(b * geo_.head_h * geo_.head_w * m.head_c(), 0.f);
  head_mean_.assign(b * m.head_c(), 0.f);
  cls_hidden_.assign(b * m.cls_hidden.n, 0.f);
  partial_.assign(pool_.threads() * kTasksPerThread * max_e, 0.f);
  qa_.assign(b * q_bytes, 0);
  qp_.assign(b * q_rows, QuantParams{0, 1.f});
  size_t gated = 0;
  for (const auto& l : m.layers) gated = std::max(gated, l.project.packed.size());
  gated_w_.assign(gated, 0.f);
  pe_offset_.assign(m.layers.size(), 0);
  if (m.config.positional_encoding) {
    for (size_t i = 0; i < m.layers.size(); ++i) {
      const size_t d = m.layers[i].se_in;
      pe_offset_[i] = pe_freq_.size();
      for (size_t j = 0; j < d / 2; ++j) {
        pe_freq_.push_back(float(std::pow(10000.0, -2.0 * double(j) / double(d))));
      }
    }
  }
}

namespace {

// The first offending value of a block that failed the range test: why, and where. Formatted
// with snprintf, not an ostream: a module that links libstdc++ statically beside the
// libstdc++.so.6 another extension loaded crashed in the stream's locale facets (Ubuntu 24.04,
// GCC 13; the linker option in CMakeLists.txt is the other half of that fix).
[[noreturn]] void throw_bad_frame_value(const float* frames, size_t begin, size_t end,
                                        size_t frame_values) {
  for (size_t i = begin; i < end; ++i) {
    const float v = frames[i];
    if (v >= -Engine::kFrameSlack && v <= 1.f + Engine::kFrameSlack) continue;
    char where[96];
    std::snprintf(where, sizeof where, "%g at flat index %zu, frame %zu", double(v), i,
                  i / frame_values);
    if (!std::isfinite(v)) {
      throw std::invalid_argument(std::string("frames contain NaN or infinity (value ") + where +
                                  ")");
    }
    throw std::invalid_argument(
        std::string("float32 frames must hold values in [0, 1] (value ") + where +
        "): pass uint8 frames (0..255) or divide float frames by 255");
  }
  throw std::logic_error("check_frames: block flagged but no bad value found");
}

}  // namespace

void Engine::check_frames(const float* frames, size_t count, size_t frame_values) {
  if (!get_range_check_kernel().fn(frames, count, -kFrameSlack, 1.f + kFrameSlack)) {
    throw_bad_frame_value(frames, 0, count, frame_values == 0 ? count : frame_values);
  }
}

void Engine::check_input(const float* frames, size_t count, size_t frame_values) {
  const float lo = -kFrameSlack, hi = 1.f + kFrameSlack;
  if (frame_values == 0) frame_values = count;
  // Each task records its verdict; the first failed range (in order) names the first bad value.
  bool ok[kMaxThreads * kTasksPerThread];
  const Ranges r = input_ranges(count, pool_.threads());
  pool_.parallel_for(r.tasks, [&](size_t t, size_t) {  // one task runs on this thread
    ok[t] = k_.range_check(frames + r.begin(t), r.end(t) - r.begin(t), lo, hi);
  });
  for (size_t t = 0; t < r.tasks; ++t) {
    if (!ok[t]) throw_bad_frame_value(frames, r.begin(t), r.end(t), frame_values);
  }
}

const float* Engine::load_frame(const void* frames, bool is_uint8, size_t index, float* dst) {
  const size_t n = size_t(geo_.height) * geo_.width * 3;
  if (!is_uint8) return static_cast<const float*>(frames) + index * n;
  const uint8_t* src = static_cast<const uint8_t*>(frames) + index * n;
  const Ranges r = input_ranges(n, pool_.threads());
  pool_.parallel_for(r.tasks, [&](size_t t, size_t) {
    k_.u8_to_unit(src + r.begin(t), r.end(t) - r.begin(t), dst + r.begin(t));
  });
  return dst;
}

// ------------------------------------------------------------------ parallel kernel calls

namespace {

// Rows [r0, r0 + rows) of a gated GEMM cut where the stream changes: fn(begin, end, the
// stream's gate of k values).
template <class F>
void for_each_stream_rows(const RowGate& gate, size_t k, size_t r0, size_t rows, F&& fn) {
  for (size_t r = r0, end = r0 + rows; r < end;) {
    const size_t b = r / gate.rows_per_gate;
    const size_t stop = std::min(end, (b + 1) * gate.rows_per_gate);
    fn(r, stop, gate.gate + b * k);
    r = stop;
  }
}

}  // namespace

void Engine::apply_gate(const RowGate& gate, size_t k, size_t r0, size_t rows) {
  for_each_stream_rows(gate, k, r0, rows, [&](size_t r, size_t stop, const float* g) {
    float* a = gate.a + r * k;
    k_.scale(stop - r, k, a, g, a);
  });
}

bool Engine::fold_gate(const PackedGemm& g, size_t m, const RowGate& gate) {
  const size_t k = g.k, size = g.packed.size();
  if (gate.rows_per_gate < m || size * kFoldGateRatio * pool_.threads() > m * k ||
      size > gated_w_.size()) {
    return false;
  }
  const float* src = g.packed.data();
  float* dst = gated_w_.data();
  for (size_t panel = 0; panel < size; panel += kGemmNR * (k + 1)) {
    std::memcpy(dst + panel, src + panel, kGemmNR * sizeof(float));  // biases
    for (size_t p = 0; p < k; ++p) {
      const size_t row = panel + (p + 1) * kGemmNR;
      const float s = gate.gate[p];
      for (size_t j = 0; j < kGemmNR; ++j) dst[row + j] = src[row + j] * s;
    }
  }
  return true;
}

void Engine::gemm(const PackedGemm& g, size_t m, const float* a, float* c,
                  const float* residual, Act act, const RowGate* gate) {
  if (ranges_.enabled()) {  // calibration observes the rows the layer multiplies (gated)
    if (gate) apply_gate(*gate, g.k, 0, m);
    gate = nullptr;
    ranges_.observe(g, m, a);
  }
  if (g.int8()) return qgemm(g, m, a, c, residual, act, gate);
  if (g.bf16()) {
    assert(residual == nullptr && gate == nullptr);
    return bf16w_gemm(g, m, a, c, act);
  }
  const size_t n = g.n, k = g.k;
  const size_t threads = pool_.threads();
  const float* packed = g.packed.data();
  if (gate && fold_gate(g, m, *gate)) {
    packed = gated_w_.data();
    gate = nullptr;
  }
  if (threads == 1 || (m * n * k < kMinParallelMacs && n * k < kMinParallelWeights)) {
    if (gate) apply_gate(*gate, k, 0, m);
    k_.gemm(m, n, k, a, k, packed, c, n, residual, n, act);
    return;
  }
  const size_t nr = k_.gemm_nr;
  const GemmSplit s = plan_gemm_split(m, n, k, nr, threads);
  if (s.by_rows) {
    pool_.parallel_for(s.parts.tasks, [&](size_t t, size_t) {
      const size_t r0 = s.parts.begin(t), r = s.parts.end(t) - r0;
      if (gate) apply_gate(*gate, k, r0, r);
      k_.gemm(r, n, k, a + r0 * k, k, packed, c + r0 * n, n,
              residual ? residual + r0 * n : nullptr, n, act);
    });
    return;
  }
  // Column blocks: a range of whole packed panels is itself a packed matrix.
  if (gate) apply_gate(*gate, k, 0, m);
  pool_.parallel_for(s.parts.tasks, [&](size_t t, size_t) {
    const size_t c0 = s.parts.begin(t) * nr, nc = std::min(n, s.parts.end(t) * nr) - c0;
    k_.gemm(m, nc, k, a, k, packed + c0 * (k + 1), c + c0, n,
            residual ? residual + c0 : nullptr, n, act);
  });
}

void Engine::bf16w_gemm(const PackedGemm& g, size_t m, const float* a, float* c, Act act) {
  const size_t n = g.n, k = g.k;
  const size_t threads = pool_.threads();
  if (threads == 1 || m * n * k < kMinParallelMacs) {
    k_.bf16w_gemm(m, n, k, a, k, g.bpacked.data(), c, n, act);
    return;
  }
  // Column panels, like gemm()'s column split (its layers are the classifier's GEMVs).
  parallel_ranges(pool_, div_up(n, kBf16wNR), [&](size_t, size_t p0, size_t p1) {
    const size_t c0 = p0 * kBf16wNR, cols = std::min(n, p1 * kBf16wNR) - c0;
    k_.bf16w_gemm(m, cols, k, a, k, g.bpacked.data() + p0 * bf16w_panel_elems(k), c + c0, n,
                  act);
  });
}

void Engine::quantize(const PackedGemm& g, size_t r0, size_t rows, const float* a,
                      const RowGate* gate) {
  const size_t k = g.k, kc = qgemm_round_k(k);
  const QuantParams* fixed = g.static_input ? &g.input : nullptr;
  if (gate == nullptr) {
    k_.quantize(rows, k, a + r0 * k, k, nullptr, qa_.data() + r0 * kc, kc, fixed,
                qp_.data() + r0);
    return;
  }
  for_each_stream_rows(*gate, k, r0, rows, [&](size_t r, size_t stop, const float* g) {
    k_.quantize(stop - r, k, a + r * k, k, g, qa_.data() + r * kc, kc, fixed, qp_.data() + r);
  });
}

// Same work split as gemm(): row blocks (each task gates and quantizes its own rows), or column
// panels after quantizing the rows once.
void Engine::qgemm(const PackedGemm& g, size_t m, const float* a, float* c,
                   const float* residual, Act act, const RowGate* gate) {
  const size_t n = g.n, k = g.k, kc = qgemm_round_k(k);
  const size_t threads = pool_.threads();
  if (threads == 1 || m * n * k < kMinParallelMacs) {
    quantize(g, 0, m, a, gate);
    k_.qgemm(m, n, k, qa_.data(), kc, qp_.data(), g.qpacked.data(), c, n, residual, n, act);
    return;
  }
  const GemmSplit s = plan_gemm_split(m, n, k, kQGemmNR, threads);
  if (s.by_rows) {
    pool_.parallel_for(s.parts.tasks, [&](size_t t, size_t) {
      const size_t r0 = s.parts.begin(t), r = s.parts.end(t) - r0;
      quantize(g, r0, r, a, gate);
      k_.qgemm(r, n, k, qa_.data() + r0 * kc, kc, qp_.data() + r0, g.qpacked.data(),
               c + r0 * n, n, residual ? residual + r0 * n : nullptr, n, act);
    });
    return;
  }
  quantize(g, 0, m, a, gate);
  pool_.parallel_for(s.parts.tasks, [&](size_t t, size_t) {
    const size_t c0 = s.parts.begin(t) * kQGemmNR;
    const size_t nc = std::min(n, s.parts.end(t) * kQGemmNR) - c0;
    const uint8_t* w = g.qpacked.data() + c0 / kQGemmNR * qgemm_panel_bytes(k);
    k_.qgemm(m, nc, k, qa_.data(), kc, qp_.data(), w, c + c0, n,
             residual ? residual + c0 : nullptr, n, act);
  });
}

void Engine::dwconv(DwConvParams p, const float* const* frames, const float* w, const float* b,
                    float* out, float* channel_sum) {
  const size_t macs = size_t(p.out_h) * p.out_w * p.channels * p.kt * p.kh * p.kw;
  if (pool_.threads() == 1 || macs < kMinParallelMacs || p.out_h < 2) {
    p.oy_begin = 0;
    p.oy_end = p.out_h;
    k_.dwconv(&p, frames, w, b, out, channel_sum);
    return;
  }
  const size_t used = parallel_ranges(pool_, p.out_h, [&](size_t t, size_t y0, size_t y1) {
    DwConvParams q = p;
    q.oy_begin = uint32_t(y0);
    q.oy_end = uint32_t(y1);
    k_.dwconv(&q, frames, w, b, out, channel_sum ? partial_.data() + t * p.channels : nullptr);
  });
  if (channel_sum) sum_partials(partial_.data(), used, p.channels, channel_sum);
}

void Engine::tconv(size_t pixels, size_t channels, size_t kt, const float* const* frames,
                   const float* w, const float* b, float* out, Act act, float* channel_sum) {
  if (pool_.threads() == 1 || pixels * channels * kt < kMinParallelMacs || pixels < 2) {
    k_.tconv(pixels, channels, kt, frames, frames[kt - 1], nullptr, w, b, out, act,
             channel_sum);
    return;
  }
  const size_t used = parallel_ranges(pool_, pixels, [&](size_t t, size_t p0, size_t p1) {
    const float* f[8];
    for (size_t j = 0; j < kt; ++j) f[j] = frames[j] + p0 * channels;
    k_.tconv(p1 - p0, channels, kt, f, f[kt - 1], nullptr, w, b, out + p0 * channels, act,
             channel_sum ? partial_.data() + t * channels : nullptr);
  });
  if (channel_sum) sum_partials(partial_.data(), used, channels, channel_sum);
}

// The temporal conv of a pixel needs only this frame's spatial output at that pixel (older
// frames are complete), so both convs of a row range run in one task: one parallel call per
// layer instead of two, and no thread waits for the other between them. Ring slots: head =
// this frame's (it held the oldest frame, no longer needed), head+1 .. head+kt-1 = the past
// frames, oldest first. A float32 ring slot receives the spatial output directly (going
// through a scratch and a copy measured slower); for a bfloat16 ring it goes to spatial_ and
// the temporal kernel rounds it into the slot.
void Engine::spatial_temporal(size_t i, const DwConvParams& p, const float* in, StreamState& st,
                              float* out, float* channel_sum) {
  const LayerModel& l = model_->layers[i];
  const size_t C = p.channels, kt = l.kt, row = size_t(p.out_w) * C;
  const uint32_t head = st.ring_head(i);
  const bool bf16 = st.bf16_ring();
  const size_t macs = size_t(p.out_h) * row * (size_t(p.kh) * p.kw + kt);
  const bool parallel = pool_.threads() > 1 && macs >= kMinParallelMacs;
  // (One thread: one call each; cutting rows into cache-sized blocks measured 3 % slower.)
  const Ranges r = make_ranges(p.out_h, parallel ? pool_.threads() * kTasksPerThread : 1);
  float* spatial = bf16 ? spatial_.data() : st.ring_slot(i, head);
  auto task = [&](size_t t, size_t) {
    DwConvParams q = p;
    q.oy_begin = uint32_t(r.begin(t));
    q.oy_end = uint32_t(r.end(t));
    k_.dwconv(&q, &in, l.feat_w.data(), l.feat_b.data(), spatial, nullptr);
    const size_t off = q.oy_begin * row, pixels = (q.oy_end - q.oy_begin) * size_t(p.out_w);
    float* sum = channel_sum ? partial_.data() + t * C : nullptr;
    if (bf16) {
      const uint16_t* past[8];
      for (size_t j = 0; j + 1 < kt; ++j) past[j] = st.ring_slot_bf16(i, head + 1 + j) + off;
      k_.bf16ring_tconv(pixels, C, kt, past, spatial + off, st.ring_slot_bf16(i, head) + off,
                        l.temp_w.data(), l.temp_b.data(), out + off, p.act, sum);
      return;
    }
    const float* past[8];
    for (size_t j = 0; j + 1 < kt; ++j) past[j] = st.ring_slot(i, head + 1 + j) + off;
    k_.tconv(pixels, C, kt, past, spatial + off, nullptr, l.temp_w.data(), l.temp_b.data(),
             out + off, p.act, sum);
  };
  if (parallel) {
    pool_.parallel_for(r.tasks, task);
  } else {
    for (size_t t = 0; t < r.tasks; ++t) task(t, 0);
  }
  if (channel_sum) sum_partials(partial_.data(), r.tasks, C, channel_sum);
}

void Engine::conv2d(Conv2dParams p, const float* in, const float* w, const float* b, float* out) {
  if (pool_.threads() == 1 || p.out_h < 2) {
    p.oy_begin = 0;
    p.oy_end = p.out_h;
    k_.conv2d(&p, in, w, b, out);
    return;
  }
  parallel_ranges(pool_, p.out_h, [&](size_t, size_t y0, size_t y1) {
    Conv2dParams q = p;
    q.oy_begin = uint32_t(y0);
    q.oy_end = uint32_t(y1);
    k_.conv2d(&q, in, w, b, out);
  });
}

void Engine::avgpool(AvgPoolParams p, const float* in, float* out) {
  const size_t adds = size_t(p.out_h) * p.out_w * p.channels * p.kh * p.kw;
  if (pool_.threads() == 1 || adds < kMinParallelMacs || p.out_h < 2) {
    p.oy_begin = 0;
    p.oy_end = p.out_h;
    k_.avgpool(&p, in, out);
    return;
  }
  parallel_ranges(pool_, p.out_h, [&](size_t, size_t y0, size_t y1) {
    AvgPoolParams q = p;
    q.oy_begin = uint32_t(y0);
    q.oy_end = uint32_t(y1);
    k_.avgpool(&q, in, out);
  });
}

// ------------------------------------------------------------------ the network

void Engine::stem(const float* frame, float* out) {
  ProfScope prof(prof_, 0, ProfOp::kStem);
  const Model& m = *model_;
  Conv2dParams p{};
  p.in_h = geo_.height;
  p.in_w = geo_.width;
  p.in_c = 3;
  p.out_h = geo_.stem_h;
  p.out_w = geo_.stem_w;
  p.out_c = m.stem_c;
  p.kh = p.kw = 3;
  p.stride = 2;
  p.pad_top = geo_.stem_pad_top;
  p.pad_left = geo_.stem_pad_left;
  p.act = m.config.act;
  conv2d(p, frame, m.stem_w.data(), m.stem_b.data(), out);
}

DwConvParams Engine::spatial_params(size_t i) const {
  const LayerModel& l = model_->layers[i];
  const LayerGeometry& g = geo_.layers[i];
  DwConvParams p{};
  p.in_h = g.in_h;
  p.in_w = g.in_w;
  p.channels = l.expand;
  p.out_h = g.out_h;
  p.out_w = g.out_w;
  p.kt = 1;
  p.kh = l.kh;
  p.kw = l.kw;
  p.stride = l.stride;
  p.pad_top = g.pad_top;
  p.pad_left = g.pad_left;
  p.act = model_->config.act;
  return p;
}

void Engine::se_gate(size_t i, size_t rows, const float* z, float* gate) {
  const LayerModel& l = model_->layers[i];
  gemm(l.se_reduce, rows, z, hidden_.data(), nullptr, model_->config.act);
  gemm(l.se_expand, rows, hidden_.data(), gate, nullptr, model_->config.gate);
}

void Engine::skip_path(size_t i, size_t streams, const float* x, float** residual) {
  const LayerModel& l = model_->layers[i];
  const LayerGeometry& g = geo_.layers[i];
  const size_t out_px = size_t(g.out_h) * g.out_w;
  switch (l.skip) {
    case SkipType::kIdentity:
      *residual = const_cast<float*>(x);
      return;
    case SkipType::kProject:
      gemm(l.skip_w, streams * out_px, x, residual_.data(), nullptr, Act::kIdentity);
      break;
    case SkipType::kPoolProject: {
      AvgPoolParams p{};
      p.in_h = g.in_h;
      p.in_w = g.in_w;
      p.channels = l.in_c;
      p.out_h = g.out_h;
      p.out_w = g.out_w;
      p.kh = p.kw = 3;
      p.stride = l.stride;
      p.pad_top = g.pool_pad_top;
      p.pad_left = g.pool_pad_left;
      const size_t in_block = size_t(g.in_h) * g.in_w * l.in_c, out_block = out_px * l.in_c;
      for (size_t b = 0; b < streams; ++b) {
        avgpool(p, x + b * in_block, pooled_.data() + b * out_block);
      }
      gemm(l.skip_w, streams * out_px, pooled_.data(), residual_.data(), nullptr,
           Act::kIdentity);
      break;
    }
  }
  *residual = residual_.data();
}

void Engine::layer_step(size_t i, size_t b0, size_t streams, const float* x, float* y) {
  const Model& m = *model_;
  const LayerModel& l = m.layers[i];
  const LayerGeometry& g = geo_.layers[i];
  const size_t in_px = size_t(g.in_h) * g.in_w, out_px = size_t(g.out_h) * g.out_w;
  const size_t e = l.expand;
  const bool temporal = states_[b0].has_ring(i);
  const bool ring_holds_input = temporal && !m.config.split_2plus1d;  // causal 3d
  const size_t row = i + 1;

  // 1. expansion: one GEMM over every stream's pixels (causal 3d writes straight into the
  // ring slots, since its buffer holds conv inputs).
  {
    ProfScope prof(prof_, row, ProfOp::kExpand);
    if (ring_holds_input) {
      for (size_t b = 0; b < streams; ++b) {
        StreamState& st = states_[b0 + b];
        gemm(l.expand_w, in_px, x + b * in_px * l.in_c, st.ring_slot(i, st.ring_head(i)),
             nullptr, m.config.act);
      }
    } else {
      gemm(l.expand_w, streams * in_px, x, expand_.data(), nullptr, m.config.act);
    }
  }

  // 2. depthwise feature conv per stream; channel sums feed the SE.
  const DwConvParams p = spatial_params(i);
  const bool se = m.config.se != SeType::kNone;
  for (size_t b = 0; b < streams; ++b) {
    StreamState& st = states_[b0 + b];
    const uint32_t head = temporal ? st.ring_head(i) : 0;
    const float* ex = ring_holds_input ? st.ring_slot(i, head) : expand_.data() + b * in_px * e;
    float* d = feature_.data() + b * out_px * e;
    float* csum = se ? csum_.data() + b * e : nullptr;
    if (m.config.split_2plus1d && temporal) {
      ProfScope prof(prof_, row, ProfOp::kTemporal);  // spatial + temporal, fused
      spatial_temporal(i, p, ex, st, d, csum);
    } else if (ring_holds_input) {
      ProfScope prof(prof_, row, ProfOp::kDepthwise);
      const float* frames[8];
      for (uint32_t j = 0; j < l.kt; ++j) frames[j] = st.ring_slot(i, head + 1 + j);
      DwConvParams q = p;
      q.kt = l.kt;
      dwconv(q, frames, l.feat_w.data(), l.feat_b.data(), d, csum);
    } else {
      ProfScope prof(prof_, row, ProfOp::kDepthwise);
      dwconv(p, &ex, l.feat_w.data(), l.feat_b.data(), d, csum);
    }
    if (temporal) st.advance_ring(i);
  }

  // 3. squeeze-excitation (causal: cumulative pooling over the frames each stream has seen);
  // the two FCs run once for all streams.
  if (se) {
    ProfScope prof(prof_, row, ProfOp::kSqueezeExcite);
    const float inv = 1.f / float(out_px);
    const size_t zin = l.se_in;
    for (size_t b = 0; b < streams; ++b) {
      StreamState& st = states_[b0 + b];
      const float* csum = csum_.data() + b * e;
      float* z = z_.data() + b * zin;
      if (m.config.se == SeType::k2d) {
        for (size_t c = 0; c < e; ++c) z[c] = csum[c] * inv;
      } else {
        float* sum = st.pool_sum(i);
        const float count = float(++st.pool_count(i));
        const bool concat = m.config.se == SeType::k2plus3d;
        for (size_t c = 0; c < e; ++c) {
          const float s = csum[c] * inv;
          sum[c] += s;
          z[c] = sum[c] / count;
          if (concat) z[e + c] = s;
        }
      }
      if (m.config.positional_encoding) {
        const float pos = float(st.pe_count(i)++);
        const size_t half = zin / 2;
        const float* freq = pe_freq_.data() + pe_offset_[i];
        for (size_t j = 0; j < half; ++j) {
          const float angle = pos * freq[j];
          z[j] += l.pos_scale * std::sin(angle);
          z[half + j] += l.pos_scale * std::cos(angle);
        }
      }
    }
    se_gate(i, streams, z_.data(), gate_.data());
  }

  // 4. projection (+ ReZero, folded) added to the skip path, all streams at once
  float* residual = nullptr;
  {
    ProfScope prof(prof_, row, ProfOp::kSkip);
    skip_path(i, streams, x, &residual);
  }
  // The SE gate scales the projection's input rows inside the projection's tasks.
  ProfScope prof(prof_, row, ProfOp::kProject);
  const RowGate gate{feature_.data(), gate_.data(), out_px};
  gemm(l.project, streams * out_px, feature_.data(), y, residual, Act::kIdentity,
       se ? &gate : nullptr);
}

void Engine::classify(size_t rows, const float* pooled_mean, float* logits) {
  ProfScope prof(prof_, 0, ProfOp::kClassifier);
  gemm(model_->cls_hidden, rows, pooled_mean, cls_hidden_.data(), nullptr,
       model_->config.classifier_act);
  gemm(model_->cls_logits, rows, cls_hidden_.data(), logits, nullptr, Act::kIdentity);
}

void Engine::tick(const float* frames, float* logits) {
  const Model& m = *model_;
  const size_t streams = states_.size();
  const size_t frame_px = size_t(geo_.height) * geo_.width * 3;
  const size_t stem_block = size_t(geo_.stem_h) * geo_.stem_w * m.stem_c;
  for (size_t b = 0; b < streams; ++b) {
    stem(frames + b * frame_px, act_a_.data() + b * stem_block);
  }
  float* x = act_a_.data();
  float* y = act_b_.data();
  for (size_t i = 0; i < m.layers.size(); ++i) {
    // Batch as many streams per kernel call as keep the layer's expanded activations within
    // about L2 size: high-resolution layers go stream by stream (batching them thrashes the
    // cache), low-resolution ones share every weight load across streams.
    const LayerModel& l = m.layers[i];
    const LayerGeometry& g = geo_.layers[i];
    const size_t bytes = size_t(g.in_h) * g.in_w * l.expand * sizeof(float);
    const size_t group = std::max<size_t>(1, std::min(streams, kBatchBytes / bytes));
    const size_t in_block = size_t(g.in_h) * g.in_w * l.in_c;
    const size_t out_block = size_t(g.out_h) * g.out_w * l.out_c;
    for (size_t b0 = 0; b0 < streams; b0 += group) {
      const size_t nb = std::min(group, streams - b0);
      layer_step(i, b0, nb, x + b0 * in_block, y + b0 * out_block);
    }
    std::swap(x, y);
  }
  const size_t head_px = size_t(geo_.head_h) * geo_.head_w;
  const size_t head_c = m.head_c();
  {
    ProfScope prof(prof_, 0, ProfOp::kHead);
    gemm(m.head, streams * head_px, x, head_.data(), nullptr, m.config.act);
    const float inv = 1.f / float(head_px);
    for (size_t b = 0; b < streams; ++b) {
      StreamState& st = states_[b];
      float* hs = st.head_sum();
      float* csum = csum_.data();
      k_.rowsum(head_px, head_c, head_.data() + b * head_px * head_c, csum);
      for (size_t c = 0; c < head_c; ++c) hs[c] += csum[c] * inv;
      const float count = float(++st.head_count());
      float* mean = head_mean_.data() + b * head_c;
      for (size_t c = 0; c < head_c; ++c) mean[c] = hs[c] / count;
    }
  }
  if (logits) classify(streams, head_mean_.data(), logits);
}

void Engine::step(const void* frames, bool is_uint8, size_t t, bool all_frames, float* logits) {
  const Model& m = *model_;
  if (!m.config.causal) {
    throw std::invalid_argument("step() needs a causal (stream) model; use run(clip) for base "
                                "models");
  }
  if (streams_ != 1) {
    throw std::invalid_argument("step() is for single-stream engines; use step_streams()");
  }
  const size_t classes = m.config.num_classes;
  for (size_t f = 0; f < t; ++f) {
    const float* frame = load_frame(frames, is_uint8, f, frame_.data());
    const bool out = all_frames || f + 1 == t;
    tick(frame, out ? (all_frames ? logits + f * classes : logits) : nullptr);
  }
}

}  // namespace mc
