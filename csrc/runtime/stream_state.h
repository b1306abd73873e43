// Stream state of one causal model at one input size: a ring buffer per causal temporal conv
// (kt slots: kt-1 past frames + the slot the current frame is written into, so no frame is
// ever copied), running pool sums and frame counters. Allocated once; size independent of
// video length. Exported/imported with the official state names and NTHWC shapes (float32;
// a bfloat16 ring, Model::bf16_ring, is widened on export and rounded on import).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "base/huge_pages.h"
#include "runtime/model.h"

namespace mc {

struct LayerGeometry {
  uint32_t in_h, in_w, out_h, out_w;
  uint32_t pad_top, pad_left;        // spatial depthwise conv (TF SAME)
  uint32_t pool_pad_top, pool_pad_left;  // skip average pool (TF SAME)
  // Causal temporal buffer: frames of ring_h x ring_w x expand (post-stride for (2+1)D,
  // pre-stride for causal 3d), kt slots.
  uint32_t ring_h = 0, ring_w = 0;
};

struct Geometry {
  uint32_t height, width;    // input frame
  uint32_t stem_h, stem_w;   // after the stride-2 stem
  uint32_t stem_pad_top, stem_pad_left;
  std::vector<LayerGeometry> layers;
  uint32_t head_h, head_w;
};

Geometry plan_geometry(const Model& model, uint32_t height, uint32_t width);

struct StateTensor {
  std::string name;
  std::vector<int64_t> shape;
  bool is_int32;
};

class StreamState {
 public:
  StreamState(const Model& model, const Geometry& geo);
  void reset();

  // Ring buffer of layer i (kt slots) -- empty when the layer has no temporal buffer.
  bool has_ring(size_t i) const { return ring_[i].slots > 0; }
  bool bf16_ring() const { return bf16_ring_; }
  float* ring_slot(size_t i, uint32_t slot) {  // float32 rings
    return data_.data() + ring_[i].offset + size_t(slot % ring_[i].slots) * ring_[i].frame;
  }
  uint16_t* ring_slot_bf16(size_t i, uint32_t slot) {  // bfloat16 rings
    return ring16_.data() + ring_[i].offset + size_t(slot % ring_[i].slots) * ring_[i].frame;
  }
  uint32_t ring_head(size_t i) const { return ring_[i].head; }  // slot of the next frame
  uint32_t ring_slots(size_t i) const { return ring_[i].slots; }
  void advance_ring(size_t i) { ring_[i].head = (ring_[i].head + 1) % ring_[i].slots; }

  float* pool_sum(size_t i) { return data_.data() + pool_offset_[i]; }
  int64_t& pool_count(size_t i) { return pool_count_[i]; }
  int64_t& pe_count(size_t i) { return pe_count_[i]; }
  float* head_sum() { return data_.data() + head_offset_; }
  int64_t& head_count() { return head_count_; }

  // Official names, shapes (batch 1) and dtypes, in a fixed order.
  const std::vector<StateTensor>& tensors() const { return tensors_; }
  size_t bytes() const;  // the tensors' values (a bfloat16 ring at 2 bytes each)
  // Copy tensor j out to / in from a dense buffer of prod(shape) floats or int32s.
  void export_tensor(size_t j, void* dst) const;
  void import_tensor(size_t j, const void* src);

 private:
  struct Ring {
    size_t offset = 0, frame = 0;
    uint32_t slots = 0, head = 0;
  };
  enum class Kind : uint8_t { kRing, kPool, kPoolCount, kPeCount, kHead, kHeadCount };
  struct Entry {
    Kind kind;
    size_t layer;
  };
  // Pool sums, the head sum and float32 rings in data_; bfloat16 rings in ring16_ (a Ring's
  // offset indexes the vector its frames live in).
  HugePageVector<float> data_;
  HugePageVector<uint16_t> ring16_;
  bool bf16_ring_ = false;
  std::vector<Ring> ring_;
  std::vector<size_t> pool_offset_;
  std::vector<int64_t> pool_count_, pe_count_;
  size_t head_offset_ = 0;
  int64_t head_count_ = 0;
  std::vector<StateTensor> tensors_;
  std::vector<Entry> entries_;
  std::vector<uint32_t> expand_;
};

}  // namespace mc
