#include <pybind11/numpy.h>

#include <stdexcept>
#include <string>

#include "kernels/rowsum/rowsum.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

// x[pixels, channels] -> sum[channels].
py::array_t<float> run_rowsum(const std::string& name, FArray x) {
  const auto& k = require_kernel(rowsum_kernels(), name);
  if (x.ndim() != 2) throw std::invalid_argument("run_rowsum: x must be [pixels, channels]");
  const size_t pixels = static_cast<size_t>(x.shape(0));
  const size_t channels = static_cast<size_t>(x.shape(1));
  py::array_t<float> sum(static_cast<py::ssize_t>(channels));
  if (channels == 0) return sum;
  {
    py::gil_scoped_release release;
    k.fn(pixels, channels, x.data(), sum.mutable_data());
  }
  return sum;
}

const int kRegistered = register_kernel_op(
    {"rowsum", []() { return describe_kernels(rowsum_kernels(), cpu_isa()); },
     [](py::module_& m) { m.def("run_rowsum", &run_rowsum, py::arg("name"), py::arg("x")); }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
