// Records the value range entering each pointwise layer (GEMM input) while enabled: the
// calibration pass of static int8 quantization (movicore/quant/calibrate.py) runs the float
// model over the user's frames and reads one [lo, hi] per layer. Off by default (one branch per
// GEMM call); single-stream engines only (lanes keep their own engines).
#pragma once

#include <algorithm>
#include <cstddef>
#include <unordered_map>
#include <utility>

#include "runtime/model.h"

namespace mc {

class RangeObserver {
 public:
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) {
    enabled_ = on;
    ranges_.clear();
  }
  // Rows x k floats (row stride k) entering layer g.
  void observe(const PackedGemm& g, size_t rows, const float* a) {
    float lo = a[0], hi = a[0];
    const size_t count = rows * g.k;
    for (size_t i = 0; i < count; ++i) {
      lo = std::min(lo, a[i]);
      hi = std::max(hi, a[i]);
    }
    auto [it, fresh] = ranges_.try_emplace(&g, lo, hi);
    if (!fresh) {
      it->second.first = std::min(it->second.first, lo);
      it->second.second = std::max(it->second.second, hi);
    }
  }
  // The range seen by layer g, or false if it never ran while enabled.
  bool range(const PackedGemm& g, float* lo, float* hi) const {
    const auto it = ranges_.find(&g);
    if (it == ranges_.end()) return false;
    *lo = it->second.first;
    *hi = it->second.second;
    return true;
  }

 private:
  bool enabled_ = false;
  std::unordered_map<const PackedGemm*, std::pair<float, float>> ranges_;
};

}  // namespace mc
