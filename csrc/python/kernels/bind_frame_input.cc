// The frame-input ops (range_check, u8_to_unit) for the kernel tests.
#include <pybind11/numpy.h>

#include <cstdint>
#include <string>
#include <vector>

#include "kernels/range_check/range_check.h"
#include "kernels/u8_to_unit/u8_to_unit.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {
namespace {

// True iff every value of x (any shape, float32) lies in [lo, hi].
bool run_range_check(const std::string& name,
                     py::array_t<float, py::array::c_style | py::array::forcecast> x, float lo,
                     float hi) {
  const auto& k = require_kernel(range_check_kernels(), name);
  const size_t n = static_cast<size_t>(x.size());
  py::gil_scoped_release release;
  return k.fn(x.data(), n, lo, hi);
}

// uint8 x (any shape) -> float32 x / 255 of the same shape.
py::array_t<float> run_u8_to_unit(const std::string& name,
                                  py::array_t<uint8_t, py::array::c_style> x) {
  const auto& k = require_kernel(u8_to_unit_kernels(), name);
  py::array_t<float> y(std::vector<py::ssize_t>(x.shape(), x.shape() + x.ndim()));
  const size_t n = static_cast<size_t>(x.size());
  py::gil_scoped_release release;
  k.fn(x.data(), n, y.mutable_data());
  return y;
}

const int kRangeCheck = register_kernel_op(
    {"range_check", []() { return describe_kernels(range_check_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_range_check", &run_range_check, py::arg("name"), py::arg("x"), py::arg("lo"),
             py::arg("hi"));
     }});
const int kU8ToUnit = register_kernel_op(
    {"u8_to_unit", []() { return describe_kernels(u8_to_unit_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_u8_to_unit", &run_u8_to_unit, py::arg("name"), py::arg("x"));
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
