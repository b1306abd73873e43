// Optional per-layer, per-op wall-clock accounting for Engine (off by default: one branch per
// op when disabled). Answers "where does the frame time go" for the benchmark report.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mc {

enum class ProfOp : uint8_t {
  kStem, kExpand, kDepthwise, kTemporal, kSqueezeExcite, kSkip, kProject, kHead, kClassifier,
  kCount,
};
inline constexpr const char* kProfOpNames[] = {
    "stem", "expand", "depthwise", "temporal", "se", "skip", "project", "head", "classifier",
};
static_assert(sizeof(kProfOpNames) / sizeof(kProfOpNames[0]) == size_t(ProfOp::kCount),
              "kProfOpNames must name every ProfOp");

class Profiler {
 public:
  struct Entry {
    double seconds = 0;
    uint64_t calls = 0;
  };
  // Rows: 0 = stem/head/classifier ("network"), 1 + i = layer i.
  void configure(size_t layers) { table_.assign((layers + 1) * size_t(ProfOp::kCount), {}); }
  bool enabled() const { return enabled_; }
  void set_enabled(bool on) { enabled_ = on; }
  void clear() {
    for (auto& e : table_) e = {};
  }
  void add(size_t row, ProfOp op, double seconds) {
    Entry& e = table_[row * size_t(ProfOp::kCount) + size_t(op)];
    e.seconds += seconds;
    ++e.calls;
  }
  const Entry& at(size_t row, ProfOp op) const {
    return table_[row * size_t(ProfOp::kCount) + size_t(op)];
  }

 private:
  bool enabled_ = false;
  std::vector<Entry> table_;
};

// Times its scope into profiler row/op when profiling is enabled.
class ProfScope {
 public:
  ProfScope(Profiler& p, size_t row, ProfOp op) : p_(p), row_(row), op_(op) {
    if (p_.enabled()) start_ = std::chrono::steady_clock::now();
  }
  ~ProfScope() {
    if (p_.enabled()) {
      p_.add(row_, op_,
             std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
    }
  }

 private:
  Profiler& p_;
  size_t row_;
  ProfOp op_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace mc
