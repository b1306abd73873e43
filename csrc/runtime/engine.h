// Engine: runs one Model at one input size. Stream (causal) models are stepped frame by frame
// with a StreamState; base (non-causal) models run whole clips. All scratch is sized at
// construction: step() never allocates. Kernel variants are resolved once, at construction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

#include "base/huge_pages.h"
#include "kernels/act/act.h"
#include "kernels/avgpool/avgpool.h"
#include "kernels/bf16w_gemm/bf16w_gemm.h"
#include "kernels/conv2d/conv2d.h"
#include "kernels/dwconv/dwconv.h"
#include "kernels/gemm/gemm.h"
#include "kernels/qgemm/qgemm.h"
#include "kernels/quantize/quantize.h"
#include "kernels/range_check/range_check.h"
#include "kernels/rowsum/rowsum.h"
#include "kernels/scale/scale.h"
#include "kernels/tconv/tconv.h"
#include "kernels/u8_to_unit/u8_to_unit.h"
#include "runtime/model.h"
#include "runtime/profiler.h"
#include "runtime/range_observer.h"
#include "runtime/stream_state.h"
#include "runtime/thread_pool.h"

namespace mc {

struct Kernels {
  explicit Kernels(uint64_t isa);
  GemmFn gemm;
  QGemmFn qgemm;
  QuantizeFn quantize;
  Bf16wGemmFn bf16w_gemm;
  DwConvFn dwconv;
  TConvFn tconv;
  Bf16RingTConvFn bf16ring_tconv;
  Conv2dFn conv2d;
  AvgPoolFn avgpool;
  RowSumFn rowsum;
  ScaleFn scale;
  RangeCheckFn range_check;
  U8ToUnitFn u8_to_unit;
  ActFn act;
  const char* gemm_name;
  const char* qgemm_name;
  uint32_t gemm_nr;  // register tile columns (how the engine splits GEMMs by columns)
};

// Rows of a GEMM's A scaled by a per-stream channel gate just before they are multiplied (the
// SE gate fused into the projection: each thread scales the rows it is about to read, while
// they are in its cache, instead of a separate single-thread pass).
struct RowGate {
  float* a;              // the GEMM's A, scaled in place
  const float* gate;     // [streams][k]
  size_t rows_per_gate;  // pixels of one stream
};

class Engine {
 public:
  // `streams` independent streams share the model. With one thread their frames are batched
  // into one GEMM per pointwise layer (weights read once for all streams). With several
  // threads and at least as many streams, streams run whole on the worker threads ("lanes",
  // see engine_streams.cc): one lane per thread, each a single-thread engine batching its own
  // streams, because splitting every small layer across threads leaves them waiting.
  // Throws std::invalid_argument for sizes the model cannot run.
  // `isa` caps the kernel variants (tests compare ISAs within one process).
  Engine(std::shared_ptr<const Model> model, uint32_t height, uint32_t width, uint32_t threads,
         uint32_t streams = 1, uint64_t isa = cpu_isa());

  const Model& model() const { return *model_; }
  const Geometry& geometry() const { return geo_; }
  uint32_t threads() const { return uint32_t(pool_.threads()); }
  uint32_t streams() const { return streams_; }
  StreamState& state(size_t stream = 0);
  // Worker lanes of a stream-parallel engine (0: kernel calls split across threads instead).
  size_t lanes() const { return lanes_.size(); }
  const Kernels& kernels() const { return k_; }
  Profiler& profiler() { return prof_; }
  RangeObserver& range_observer() { return ranges_; }

  // Float frames are RGB in [0, 1]; values up to kFrameSlack outside are accepted (resampling
  // filters overshoot a little). Anything else (0..255 floats, NaN, inf) is a caller's mistake.
  static constexpr float kFrameSlack = 0.05f;
  // Validate float frames (finite, in range) before touching any state; throws
  // std::invalid_argument naming the first bad value (`frame_values` = values per frame, for
  // the message). One pass over the values (range_check kernel of this CPU).
  static void check_frames(const float* frames, size_t count, size_t frame_values = 0);
  // The same check on this engine's kernels and threads (the pass is a serial part of every
  // frame otherwise).
  void check_input(const float* frames, size_t count, size_t frame_values);

  // Causal models: process `t` frames (each height*width*3, HWC, RGB, in [0,1] or uint8 0..255)
  // and write logits after the last frame (all_frames = false, logits: [classes]) or after
  // every frame (logits: [t][classes]).
  void step(const void* frames, bool is_uint8, size_t t, bool all_frames, float* logits);
  // Causal models: one frame for each stream (frames: [streams][height*width*3]) ->
  // logits [streams][classes].
  void step_streams(const void* frames, bool is_uint8, float* logits);
  // Non-causal models: whole clip of t frames -> logits [classes] (single-stream engines).
  void run_clip(const void* frames, bool is_uint8, size_t t, float* logits);
  void reset();

 private:
  // Frame `index` of `frames` as floats: float input is read in place (no copy), uint8 input
  // is converted into dst.
  const float* load_frame(const void* frames, bool is_uint8, size_t index, float* dst);
  // Stream-parallel setup (engine_streams.cc): true when this engine runs its streams on lanes.
  bool make_lanes(uint32_t threads, uint64_t isa);
  // One frame of every stream through the network (frames: [streams][height*width*3]);
  // logits of every stream when `logits` is not null.
  void tick(const float* frames, float* logits);
  void stem(const float* frame, float* out);
  // One causal layer, one frame for each of streams [b0, b0 + nb): x [nb][in_h*in_w*in_c] ->
  // y [nb][out_h*out_w*out_c] (dense per-stream blocks).
  void layer_step(size_t i, size_t b0, size_t nb, const float* x, float* y);
  // Spatial depthwise parameters of layer i (kt = 1, all output rows).
  DwConvParams spatial_params(size_t i) const;
  void se_gate(size_t i, size_t rows, const float* z, float* gate);
  void classify(size_t rows, const float* pooled_mean, float* logits);
  void skip_path(size_t i, size_t streams, const float* x, float** residual);

  // Parallel helpers (split rows over the pool when the work is large enough).
  void gemm(const PackedGemm& g, size_t m, const float* a, float* c, const float* residual,
            Act act, const RowGate* gate = nullptr);
  // Int8 layers: quantize the input rows (dynamic or static; the SE gate multiplies them
  // inside the quantization instead of in a pass of its own), then the int8 kernel.
  void qgemm(const PackedGemm& g, size_t m, const float* a, float* c, const float* residual,
             Act act, const RowGate* gate);
  void apply_gate(const RowGate& gate, size_t k, size_t r0, size_t rows);
  // One stream's gate folded into a copy of the float weights (gated_w_) when that is less
  // work than scaling A's m x k (early layers: many pixels, few output channels).
  bool fold_gate(const PackedGemm& g, size_t m, const RowGate& gate);
  void quantize(const PackedGemm& g, size_t r0, size_t rows, const float* a,
                const RowGate* gate);
  // Bfloat16-weight layers (no residual): column panels split over threads.
  void bf16w_gemm(const PackedGemm& g, size_t m, const float* a, float* c, Act act);
  void dwconv(DwConvParams p, const float* const* frames, const float* w, const float* b,
              float* out, float* channel_sum);
  // Clips: frames[kt - 1] is the current frame, the others the past ones.
  void tconv(size_t pixels, size_t channels, size_t kt, const float* const* frames,
             const float* w, const float* b, float* out, Act act, float* channel_sum);
  // (2+1)D causal step of layer i: spatial rows of `in` into this frame's ring slot (through
  // spatial_ for a bfloat16 ring), then the temporal conv of the same pixels into out, one
  // task per row range.
  void spatial_temporal(size_t i, const DwConvParams& p, const float* in, StreamState& st,
                        float* out, float* channel_sum);
  void conv2d(Conv2dParams p, const float* in, const float* w, const float* b, float* out);
  void avgpool(AvgPoolParams p, const float* in, float* out);

  std::shared_ptr<const Model> model_;
  Geometry geo_;
  Kernels k_;
  ThreadPool pool_;
  std::vector<StreamState> states_;
  uint32_t streams_ = 1;
  // Stream-parallel lanes: lane j carries streams [lane_first_[j], lane_first_[j + 1]).
  std::vector<std::unique_ptr<Engine>> lanes_;
  std::vector<size_t> lane_first_;
  Profiler prof_;
  RangeObserver ranges_;

  // Scratch (floats), sized at construction for one frame of every stream.
  HugePageVector<float> frame_, act_a_, act_b_, expand_, feature_, residual_, pooled_, spatial_;
  HugePageVector<float> z_, hidden_, gate_, csum_, head_, head_mean_, cls_hidden_;
  size_t max_e_ = 0, max_z_ = 0, max_r_ = 0;
  std::vector<float> partial_;  // per-task channel sums
  HugePageVector<float> gated_w_;  // a projection's packed weights times this frame's SE gate
  HugePageVector<uint8_t> qa_;        // quantized GEMM input rows (int8 layers)
  std::vector<QuantParams> qp_;    // their per-row quantization
  std::vector<float> pe_freq_;  // per layer: se_in/2 frequencies (positional encoding)
  std::vector<size_t> pe_offset_;
};

}  // namespace mc
