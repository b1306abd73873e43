// run_conv2d(name, x [H, W, in_c], w [kh, kw, in_c, out_c], bias [out_c], stride, pad_top,
// pad_left, out_h, out_w, act, oy_begin=0, oy_end=-1, repeat=1) -> out [out_h, out_w, out_c] (rows
// outside the range are NaN).
#include <pybind11/numpy.h>

#include <string>

#include "base/act_names.h"
#include "kernels/conv2d/conv2d.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using kbind::FArray;

py::array_t<float> run_conv2d(const std::string& name, FArray x, FArray w, FArray bias,
                              long stride, long pad_top, long pad_left, long out_h, long out_w,
                              const std::string& act, long oy_begin, long oy_end,
                              long repeat) {
  const auto& k = require_kernel(conv2d_kernels(), name);
  const char* op = "conv2d";
  kbind::require_shape(op, "x", x, {-1, -1, -1});
  const long H = x.shape(0), W = x.shape(1), IC = x.shape(2);
  kbind::require_shape(op, "w", w, {-1, -1, IC, -1});
  const long kh = w.shape(0), kw = w.shape(1), OC = w.shape(3);
  kbind::require_shape(op, "bias", bias, {OC});
  kbind::require(stride >= 1 && pad_top >= 0 && pad_left >= 0 && out_h >= 1 && out_w >= 1,
                 "conv2d: need stride >= 1, pads >= 0, out_h, out_w >= 1");
  kbind::row_range(op, out_h, oy_begin, oy_end);
  kbind::require_repeat(op, repeat);
  Conv2dParams p{};
  p.in_h = uint32_t(H);
  p.in_w = uint32_t(W);
  p.in_c = uint32_t(IC);
  p.out_h = uint32_t(out_h);
  p.out_w = uint32_t(out_w);
  p.out_c = uint32_t(OC);
  p.kh = uint32_t(kh);
  p.kw = uint32_t(kw);
  p.stride = uint32_t(stride);
  p.pad_top = uint32_t(pad_top);
  p.pad_left = uint32_t(pad_left);
  p.oy_begin = uint32_t(oy_begin);
  p.oy_end = uint32_t(oy_end);
  p.act = parse_act(act);
  kbind::GuardedOut out(size_t(out_h) * out_w * OC);
  {
    py::gil_scoped_release release;
    for (long r = 0; r < repeat; ++r) k.fn(&p, x.data(), w.data(), bias.data(), out.data());
  }
  out.check(name);
  return out.to_array({out_h, out_w, OC});
}

const int kRegistered = register_kernel_op(
    {"conv2d", []() { return describe_kernels(conv2d_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_conv2d", &run_conv2d, py::arg("name"), py::arg("x"), py::arg("w"),
             py::arg("bias"), py::arg("stride"), py::arg("pad_top"), py::arg("pad_left"),
             py::arg("out_h"), py::arg("out_w"), py::arg("act"), py::arg("oy_begin") = 0,
             py::arg("oy_end") = -1, py::arg("repeat") = 1);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
