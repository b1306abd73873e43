#include <pybind11/numpy.h>

#include <string>

#include "kernels/act/act.h"
#include "python/bind.h"
#include "base/act_names.h"

namespace mc {
namespace py_bind {
namespace {

using FArray = py::array_t<float, py::array::c_style | py::array::forcecast>;

py::array_t<float> run_act(const std::string& name, FArray x, const std::string& act) {
  const auto& k = require_kernel(act_kernels(), name);
  const Act a = parse_act(act);
  py::array_t<float> y(x.request().shape);
  const size_t n = static_cast<size_t>(x.size());
  {
    py::gil_scoped_release release;
    k.fn(n, x.data(), y.mutable_data(), a);
  }
  return y;
}

const int kRegistered = register_kernel_op(
    {"act", []() { return describe_kernels(act_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_act", &run_act, py::arg("name"), py::arg("x"), py::arg("act"));
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
