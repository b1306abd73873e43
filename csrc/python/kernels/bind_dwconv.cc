// run_dwconv(name, frames, w, bias, stride, pad_top, pad_left, out_h, out_w, act, oy_begin=0,
// oy_end=-1, want_sum=False, repeat=1) -> out [out_h, out_w, C] (rows outside the range are NaN) or
// (out, channel_sum [C]).
#include <pybind11/numpy.h>

#include <string>
#include <vector>

#include "base/act_names.h"
#include "kernels/dwconv/dwconv.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using kbind::FArray;

py::object run_dwconv(const std::string& name, const py::list& frames, FArray w, FArray bias,
                      long stride, long pad_top, long pad_left, long out_h, long out_w,
                      const std::string& act, long oy_begin, long oy_end, bool want_sum,
                      long repeat) {
  const auto& k = require_kernel(dwconv_kernels(), name);
  const char* op = "dwconv";
  kbind::require_shape(op, "w", w, {-1, -1, -1, -1});
  const long kt = w.shape(0), kh = w.shape(1), kw = w.shape(2), C = w.shape(3);
  kbind::require_shape(op, "bias", bias, {C});
  kbind::require(long(py::len(frames)) == kt, std::string(op) + ": expected kt=" +
                                                  std::to_string(kt) + " frames, got " +
                                                  std::to_string(py::len(frames)));
  std::vector<FArray> arrays;
  std::vector<const float*> ptrs;
  long H = -1, W = -1;
  for (const auto& f : frames) {
    if (f.is_none()) {
      ptrs.push_back(nullptr);
      continue;
    }
    FArray a = FArray::ensure(f);
    if (!a) throw std::invalid_argument("dwconv: frames must be float arrays or None");
    kbind::require_shape(op, "frame", a, {H < 0 ? -1 : H, W < 0 ? -1 : W, C});
    H = a.shape(0);
    W = a.shape(1);
    arrays.push_back(a);
    ptrs.push_back(a.data());
  }
  kbind::require(H > 0, "dwconv: at least one frame must be an array (gives the input size)");
  kbind::require(stride >= 1 && pad_top >= 0 && pad_left >= 0 && out_h >= 1 && out_w >= 1,
                 "dwconv: need stride >= 1, pads >= 0, out_h, out_w >= 1");
  kbind::row_range(op, out_h, oy_begin, oy_end);
  kbind::require_repeat(op, repeat);
  DwConvParams p{};
  p.in_h = uint32_t(H);
  p.in_w = uint32_t(W);
  p.channels = uint32_t(C);
  p.out_h = uint32_t(out_h);
  p.out_w = uint32_t(out_w);
  p.kt = uint32_t(kt);
  p.kh = uint32_t(kh);
  p.kw = uint32_t(kw);
  p.stride = uint32_t(stride);
  p.pad_top = uint32_t(pad_top);
  p.pad_left = uint32_t(pad_left);
  p.oy_begin = uint32_t(oy_begin);
  p.oy_end = uint32_t(oy_end);
  p.act = parse_act(act);
  kbind::GuardedOut out{size_t(out_h) * out_w * C}, sum{size_t(C)};
  {
    py::gil_scoped_release release;
    for (long r = 0; r < repeat; ++r) {
      k.fn(&p, ptrs.data(), w.data(), bias.data(), out.data(), want_sum ? sum.data() : nullptr);
    }
  }
  out.check(name);
  sum.check(name);
  py::array_t<float> y = out.to_array({out_h, out_w, C});
  if (!want_sum) return std::move(y);
  return py::make_tuple(y, sum.to_array({C}));
}

const int kRegistered = register_kernel_op(
    {"dwconv", []() { return describe_kernels(dwconv_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_dwconv", &run_dwconv, py::arg("name"), py::arg("frames"), py::arg("w"),
             py::arg("bias"), py::arg("stride"), py::arg("pad_top"), py::arg("pad_left"),
             py::arg("out_h"), py::arg("out_w"), py::arg("act"), py::arg("oy_begin") = 0,
             py::arg("oy_end") = -1, py::arg("want_sum") = false, py::arg("repeat") = 1);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
