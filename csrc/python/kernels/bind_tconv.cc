// run_tconv(name, frames, w, bias, act, want_sum=False, repeat=1) -> out (shape of a frame,
// [..., C]) or (out, channel_sum [C]). frames: kt arrays of one shape (oldest first; the last
// is the current frame, the others the past ones), w [kt, C], bias [C]. No ring copy
// (cur_out = null).
#include <pybind11/numpy.h>

#include <string>
#include <vector>

#include "base/act_names.h"
#include "kernels/tconv/tconv.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using kbind::FArray;

py::object run_tconv(const std::string& name, const py::list& frames, FArray w, FArray bias,
                     const std::string& act, bool want_sum, long repeat) {
  const auto& k = require_kernel(tconv_kernels(), name);
  const char* op = "tconv";
  kbind::require_repeat(op, repeat);
  kbind::require_shape(op, "w", w, {-1, -1});
  const long kt = w.shape(0), C = w.shape(1);
  kbind::require_shape(op, "bias", bias, {C});
  kbind::require(long(py::len(frames)) == kt, std::string(op) + ": expected kt=" +
                                                  std::to_string(kt) + " frames, got " +
                                                  std::to_string(py::len(frames)));
  std::vector<FArray> arrays;
  std::vector<const float*> ptrs;
  std::vector<py::ssize_t> shape;
  for (const auto& f : frames) {
    FArray a = FArray::ensure(f);
    if (!a) throw std::invalid_argument("tconv: frames must be float arrays (no None)");
    if (shape.empty()) {
      kbind::require(a.ndim() >= 1 && a.shape(a.ndim() - 1) == C,
                     "tconv: frame expected [..., " + std::to_string(C) + "], got " +
                         kbind::shape_str(a));
      shape.assign(a.shape(), a.shape() + a.ndim());
    } else {
      kbind::require_shape(op, "frame", a, shape);
    }
    arrays.push_back(a);
    ptrs.push_back(a.data());
  }
  const size_t pixels = size_t(arrays[0].size()) / size_t(C);
  const Act a = parse_act(act);
  kbind::GuardedOut out{pixels * size_t(C)}, sum{size_t(C)};
  {
    py::gil_scoped_release release;
    for (long r = 0; r < repeat; ++r) {
      k.fn(pixels, size_t(C), size_t(kt), ptrs.data(), ptrs[size_t(kt) - 1], nullptr, w.data(),
           bias.data(), out.data(), a, want_sum ? sum.data() : nullptr);
    }
  }
  out.check(name);
  sum.check(name);
  py::array_t<float> y = out.to_array(shape);
  if (!want_sum) return std::move(y);
  return py::make_tuple(y, sum.to_array({C}));
}

const int kRegistered = register_kernel_op(
    {"tconv", []() { return describe_kernels(tconv_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_tconv", &run_tconv, py::arg("name"), py::arg("frames"), py::arg("w"),
             py::arg("bias"), py::arg("act"), py::arg("want_sum") = false,
             py::arg("repeat") = 1);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
