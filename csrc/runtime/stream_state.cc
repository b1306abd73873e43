#include "runtime/stream_state.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

#include "base/bf16.h"

namespace mc {
namespace {

uint32_t same_out(uint32_t n, uint32_t s) { return (n + s - 1) / s; }
uint32_t same_pad_before(uint32_t n, uint32_t k, uint32_t s) {
  const uint32_t out = same_out(n, s);
  const int64_t total = std::max<int64_t>(int64_t(out - 1) * s + k - n, 0);
  return uint32_t(total / 2);
}

}  // namespace

Geometry plan_geometry(const Model& model, uint32_t height, uint32_t width) {
  Geometry g;
  g.height = height;
  g.width = width;
  g.stem_h = same_out(height, 2);
  g.stem_w = same_out(width, 2);
  g.stem_pad_top = same_pad_before(height, 3, 2);
  g.stem_pad_left = same_pad_before(width, 3, 2);
  uint32_t h = g.stem_h, w = g.stem_w;
  for (const auto& l : model.layers) {
    LayerGeometry lg;
    lg.in_h = h;
    lg.in_w = w;
    lg.out_h = same_out(h, l.stride);
    lg.out_w = same_out(w, l.stride);
    lg.pad_top = same_pad_before(h, l.kh, l.stride);
    lg.pad_left = same_pad_before(w, l.kw, l.stride);
    lg.pool_pad_top = same_pad_before(h, 3, l.stride);
    lg.pool_pad_left = same_pad_before(w, 3, l.stride);
    if (model.config.causal && l.kt > 1) {
      lg.ring_h = model.config.split_2plus1d ? lg.out_h : h;
      lg.ring_w = model.config.split_2plus1d ? lg.out_w : w;
    }
    g.layers.push_back(lg);
    h = lg.out_h;
    w = lg.out_w;
  }
  g.head_h = h;
  g.head_w = w;
  return g;
}

StreamState::StreamState(const Model& model, const Geometry& geo) {
  const size_t n = model.layers.size();
  ring_.resize(n);
  pool_offset_.assign(n, 0);
  pool_count_.assign(n, 0);
  pe_count_.assign(n, 0);
  size_t total = 0, total16 = 0;
  bf16_ring_ = model.bf16_ring;
  const bool pooled_se = model.config.se == SeType::k3d || model.config.se == SeType::k2plus3d;
  for (size_t i = 0; i < n; ++i) {
    const auto& l = model.layers[i];
    const auto& lg = geo.layers[i];
    expand_.push_back(l.expand);
    const std::string p = "state_" + l.name;
    if (lg.ring_h > 0) {
      size_t& end = bf16_ring_ ? total16 : total;
      ring_[i].offset = end;
      ring_[i].frame = size_t(lg.ring_h) * lg.ring_w * l.expand;
      ring_[i].slots = l.kt;
      end += ring_[i].frame * l.kt;
      tensors_.push_back({p + "_stream_buffer", {1, int64_t(l.kt - 1), lg.ring_h, lg.ring_w,
                                                 int64_t(l.expand)}, false});
      entries_.push_back({Kind::kRing, i});
    }
    if (pooled_se) {
      pool_offset_[i] = total;
      total += l.expand;
      tensors_.push_back({p + "_pool_buffer", {1, 1, 1, 1, int64_t(l.expand)}, false});
      entries_.push_back({Kind::kPool, i});
      tensors_.push_back({p + "_pool_frame_count", {1}, true});
      entries_.push_back({Kind::kPoolCount, i});
    }
    if (model.config.positional_encoding) {
      tensors_.push_back({p + "_pos_enc_frame_count", {1}, true});
      entries_.push_back({Kind::kPeCount, i});
    }
  }
  head_offset_ = total;
  total += model.head_c();
  tensors_.push_back({"state_head_pool_buffer", {1, 1, 1, 1, int64_t(model.head_c())}, false});
  entries_.push_back({Kind::kHead, 0});
  tensors_.push_back({"state_head_pool_frame_count", {1}, true});
  entries_.push_back({Kind::kHeadCount, 0});
  data_.assign(total, 0.f);
  ring16_.assign(total16, 0);
}

void StreamState::reset() {
  std::fill(data_.begin(), data_.end(), 0.f);
  std::fill(ring16_.begin(), ring16_.end(), uint16_t(0));
  for (auto& r : ring_) r.head = 0;
  std::fill(pool_count_.begin(), pool_count_.end(), 0);
  std::fill(pe_count_.begin(), pe_count_.end(), 0);
  head_count_ = 0;
}

size_t StreamState::bytes() const {
  size_t b = 0;
  for (size_t j = 0; j < tensors_.size(); ++j) {
    size_t n = 1;
    for (auto d : tensors_[j].shape) n *= size_t(d);
    b += n * (bf16_ring_ && entries_[j].kind == Kind::kRing ? sizeof(uint16_t) : 4);
  }
  return b;
}

void StreamState::export_tensor(size_t j, void* dst) const {
  const Entry& e = entries_[j];
  auto count = [](int64_t v) {
    return int32_t(std::min<int64_t>(v, INT32_MAX));
  };
  switch (e.kind) {
    case Kind::kRing: {
      const Ring& r = ring_[e.layer];
      float* out = static_cast<float*>(dst);
      // Oldest first: the kt-1 most recent frames are slots head+1 .. head+kt-1.
      for (uint32_t s = 1; s < r.slots; ++s) {
        const size_t at = r.offset + size_t((r.head + s) % r.slots) * r.frame;
        float* o = out + size_t(s - 1) * r.frame;
        if (bf16_ring_) {
          for (size_t k = 0; k < r.frame; ++k) o[k] = from_bf16(ring16_[at + k]);
        } else {
          std::memcpy(o, data_.data() + at, r.frame * sizeof(float));
        }
      }
      return;
    }
    case Kind::kPool:
      std::memcpy(dst, data_.data() + pool_offset_[e.layer], expand_[e.layer] * sizeof(float));
      return;
    case Kind::kPoolCount:
      *static_cast<int32_t*>(dst) = count(pool_count_[e.layer]);
      return;
    case Kind::kPeCount:
      *static_cast<int32_t*>(dst) = count(pe_count_[e.layer]);
      return;
    case Kind::kHead: {
      const size_t c = size_t(tensors_[j].shape[4]);
      std::memcpy(dst, data_.data() + head_offset_, c * sizeof(float));
      return;
    }
    case Kind::kHeadCount:
      *static_cast<int32_t*>(dst) = count(head_count_);
      return;
  }
}

void StreamState::import_tensor(size_t j, const void* src) {
  const Entry& e = entries_[j];
  switch (e.kind) {
    case Kind::kRing: {
      Ring& r = ring_[e.layer];
      const float* in = static_cast<const float*>(src);
      r.head = 0;  // slot 0 = next write; slots 1..kt-1 = oldest..newest
      if (bf16_ring_) {
        std::fill_n(ring16_.data() + r.offset, r.frame, uint16_t(0));
        for (size_t k = 0; k < (r.slots - 1) * r.frame; ++k) {
          ring16_[r.offset + r.frame + k] = to_bf16(in[k]);
        }
        return;
      }
      std::memset(data_.data() + r.offset, 0, r.frame * sizeof(float));
      for (uint32_t s = 1; s < r.slots; ++s) {
        std::memcpy(data_.data() + r.offset + size_t(s) * r.frame, in + size_t(s - 1) * r.frame,
                    r.frame * sizeof(float));
      }
      return;
    }
    case Kind::kPool:
      std::memcpy(data_.data() + pool_offset_[e.layer], src, expand_[e.layer] * sizeof(float));
      return;
    case Kind::kPoolCount:
      pool_count_[e.layer] = *static_cast<const int32_t*>(src);
      return;
    case Kind::kPeCount:
      pe_count_[e.layer] = *static_cast<const int32_t*>(src);
      return;
    case Kind::kHead: {
      const size_t c = size_t(tensors_[j].shape[4]);
      std::memcpy(data_.data() + head_offset_, src, c * sizeof(float));
      return;
    }
    case Kind::kHeadCount:
      head_count_ = *static_cast<const int32_t*>(src);
      return;
  }
}

}  // namespace mc
