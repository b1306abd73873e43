// run_avgpool(name, x [H, W, C], kh, kw, stride, pad_top, pad_left, out_h, out_w, oy_begin=0,
// oy_end=-1, repeat=1) -> out [out_h, out_w, C] (rows outside the range are NaN). Padded cells are
// excluded from the divisor.
#include <pybind11/numpy.h>

#include <string>

#include "kernels/avgpool/avgpool.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using kbind::FArray;

py::array_t<float> run_avgpool(const std::string& name, FArray x, long kh, long kw, long stride,
                               long pad_top, long pad_left, long out_h, long out_w,
                               long oy_begin, long oy_end, long repeat) {
  const auto& k = require_kernel(avgpool_kernels(), name);
  const char* op = "avgpool";
  kbind::require_shape(op, "x", x, {-1, -1, -1});
  const long H = x.shape(0), W = x.shape(1), C = x.shape(2);
  kbind::require(kh >= 1 && kw >= 1 && stride >= 1 && pad_top >= 0 && pad_left >= 0 &&
                     out_h >= 1 && out_w >= 1,
                 "avgpool: need kh, kw, stride >= 1, pads >= 0, out_h, out_w >= 1");
  kbind::row_range(op, out_h, oy_begin, oy_end);
  kbind::require_repeat(op, repeat);
  AvgPoolParams p{};
  p.in_h = uint32_t(H);
  p.in_w = uint32_t(W);
  p.channels = uint32_t(C);
  p.out_h = uint32_t(out_h);
  p.out_w = uint32_t(out_w);
  p.kh = uint32_t(kh);
  p.kw = uint32_t(kw);
  p.stride = uint32_t(stride);
  p.pad_top = uint32_t(pad_top);
  p.pad_left = uint32_t(pad_left);
  p.oy_begin = uint32_t(oy_begin);
  p.oy_end = uint32_t(oy_end);
  kbind::GuardedOut out(size_t(out_h) * out_w * C);
  {
    py::gil_scoped_release release;
    for (long r = 0; r < repeat; ++r) k.fn(&p, x.data(), out.data());
  }
  out.check(name);
  return out.to_array({out_h, out_w, C});
}

const int kRegistered = register_kernel_op(
    {"avgpool", []() { return describe_kernels(avgpool_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_avgpool", &run_avgpool, py::arg("name"), py::arg("x"), py::arg("kh"),
             py::arg("kw"), py::arg("stride"), py::arg("pad_top"), py::arg("pad_left"),
             py::arg("out_h"), py::arg("out_w"), py::arg("oy_begin") = 0,
             py::arg("oy_end") = -1, py::arg("repeat") = 1);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
