// Helpers for the kernel-op bindings: validated NumPy inputs and output buffers with guard
// bands past both ends, checked after every call (tests: no kernel may write out of bounds).
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace mc {
namespace py_bind {
namespace kbind {

namespace py = pybind11;

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

inline std::string shape_str(const FArray& a) {
  std::string s = "[";
  for (py::ssize_t i = 0; i < a.ndim(); ++i) s += (i ? ", " : "") + std::to_string(a.shape(i));
  return s + "]";
}

// Throws ValueError unless a has exactly `dims` (-1 = any extent, still >= 1).
inline void require_shape(const char* op, const char* what, const FArray& a,
                          const std::vector<py::ssize_t>& dims) {
  bool ok = a.ndim() == py::ssize_t(dims.size());
  for (size_t i = 0; ok && i < dims.size(); ++i) {
    ok = dims[i] < 0 ? a.shape(i) >= 1 : a.shape(i) == dims[i];
  }
  if (!ok) {
    std::string want = "[";
    for (size_t i = 0; i < dims.size(); ++i) {
      want += (i ? ", " : "") + (dims[i] < 0 ? std::string("*") : std::to_string(dims[i]));
    }
    throw std::invalid_argument(std::string(op) + ": " + what + " expected shape " + want +
                                "], got " + shape_str(a));
  }
}

inline void require(bool ok, const std::string& msg) {
  if (!ok) throw std::invalid_argument(msg);
}

// repeat: how many times a binding runs its kernel on the same buffers (timing the kernel
// without the binding's per-call allocation, fill and copy).
inline void require_repeat(const char* op, long repeat) {
  require(repeat >= 1 && repeat <= 1000000,
          std::string(op) + ": repeat must be within 1..1000000, got " + std::to_string(repeat));
}

// Resolves oy_end = -1 and checks 0 <= oy_begin <= oy_end <= out_h.
inline void row_range(const char* op, long out_h, long oy_begin, long& oy_end) {
  if (oy_end < 0) oy_end = out_h;
  require(oy_begin >= 0 && oy_begin <= oy_end && oy_end <= out_h,
          std::string(op) + ": row range [" + std::to_string(oy_begin) + ", " +
              std::to_string(oy_end) + ") not within [0, " + std::to_string(out_h) + "]");
}

// n floats pre-filled with `fill` (NaN: untouched elements stay NaN), between guard bands.
class GuardedOut {
 public:
  static constexpr size_t kGuard = 16;
  static constexpr float kCanary = -31337.25f;
  explicit GuardedOut(size_t n, float fill = std::numeric_limits<float>::quiet_NaN())
      : n_(n), buf_(n + 2 * kGuard, kCanary) {
    for (size_t i = 0; i < n; ++i) buf_[kGuard + i] = fill;
  }
  float* data() { return buf_.data() + kGuard; }
  // RuntimeError if the kernel wrote into a guard band.
  void check(const std::string& what) const {
    for (size_t i = 0; i < kGuard; ++i) {
      if (buf_[i] != kCanary || buf_[kGuard + n_ + i] != kCanary) {
        throw std::runtime_error(what + ": kernel wrote outside its output buffer");
      }
    }
  }
  py::array_t<float> to_array(const std::vector<py::ssize_t>& shape) const {
    py::array_t<float> a(shape);
    if (n_ > 0) std::memcpy(a.mutable_data(), buf_.data() + kGuard, n_ * sizeof(float));
    return a;
  }

 private:
  size_t n_;
  std::vector<float> buf_;
};

}  // namespace kbind
}  // namespace py_bind
}  // namespace mc
