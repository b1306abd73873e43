// The many-stream path: one frame of every stream per call. A stream-parallel engine (several
// threads, at least as many streams) runs whole streams per worker thread: its streams are
// split into one lane per thread, each lane a single-thread engine that batches the pointwise
// GEMMs of its own streams (tick() groups them by working set). Lanes share the model and
// nothing else, so they never wait on each other within a frame; a lane's results are those
// of its streams run alone.
#include <stdexcept>

#include "runtime/engine.h"

namespace mc {

bool Engine::make_lanes(uint32_t threads, uint64_t isa) {
  if (threads < 2 || streams_ < 2 || streams_ < threads) return false;
  const size_t lanes = threads;
  lane_first_.assign(lanes + 1, 0);
  for (size_t j = 0; j < lanes; ++j) {
    // Spread the remainder over the first lanes: sizes differ by at most one stream.
    const size_t count = streams_ / lanes + (j < streams_ % lanes ? 1 : 0);
    lane_first_[j + 1] = lane_first_[j] + count;
    lanes_.push_back(std::make_unique<Engine>(model_, geo_.height, geo_.width, 1,
                                              uint32_t(count), isa));
  }
  return true;
}

StreamState& Engine::state(size_t stream) {
  if (lanes_.empty()) return states_[stream];
  size_t j = 0;
  while (stream >= lane_first_[j + 1]) ++j;
  return lanes_[j]->state(stream - lane_first_[j]);
}

void Engine::reset() {
  for (auto& s : states_) s.reset();
  for (auto& lane : lanes_) lane->reset();
}

void Engine::step_streams(const void* frames, bool is_uint8, float* logits) {
  if (!model_->config.causal) {
    throw std::invalid_argument("step_streams() needs a causal (stream) model");
  }
  const size_t frame_px = size_t(geo_.height) * geo_.width * 3;
  if (!lanes_.empty()) {
    const size_t classes = model_->config.num_classes;
    const size_t elem = is_uint8 ? 1 : sizeof(float);
    pool_.parallel_for(lanes_.size(), [&](size_t j, size_t) {
      const size_t first = lane_first_[j];
      lanes_[j]->step_streams(static_cast<const char*>(frames) + first * frame_px * elem,
                              is_uint8, logits + first * classes);
    });
    return;
  }
  if (!is_uint8) return tick(static_cast<const float*>(frames), logits);  // read in place
  for (size_t b = 0; b < states_.size(); ++b) {
    load_frame(frames, is_uint8, b, frame_.data() + b * frame_px);
  }
  tick(frame_.data(), logits);
}

}  // namespace mc
