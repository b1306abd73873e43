#include <pybind11/numpy.h>

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/scale/scale.h"
#include "python/bind.h"
#include "python/kernels/guarded.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// y[pixels, channels] = x * s[channels]; in_place runs the kernel with y == x (on a copy).
py::array_t<float> run_scale(const std::string& name, FArray x, FArray s, bool in_place,
                             long repeat) {
  const auto& k = require_kernel(scale_kernels(), name);
  kbind::require_repeat("scale", repeat);
  if (x.ndim() != 2 || s.ndim() != 1 || s.shape(0) != x.shape(1)) {
    throw std::invalid_argument("run_scale: need x[pixels, channels] and s[channels]");
  }
  const size_t pixels = static_cast<size_t>(x.shape(0));
  const size_t channels = static_cast<size_t>(x.shape(1));
  py::array_t<float> y({pixels, channels});
  float* yp = y.mutable_data();
  const float* xp = x.data();
  if (in_place) {
    std::copy(xp, xp + x.size(), yp);
    xp = yp;
  }
  {
    py::gil_scoped_release release;
    for (long r = 0; r < repeat; ++r) k.fn(pixels, channels, xp, s.data(), yp);
  }
  return y;
}

const int kRegistered = register_kernel_op(
    {"scale", []() { return describe_kernels(scale_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_scale", &run_scale, py::arg("name"), py::arg("x"), py::arg("s"),
             py::arg("in_place") = false, py::arg("repeat") = 1);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
