#include <pybind11/pybind11.h>

#include <cstdint>
#include <string>

#include "kernels/crc32c/crc32c.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {
namespace {

// data (any C-contiguous buffer), crc of the preceding bytes -> crc of the whole.
uint32_t run_crc32c(const std::string& name, const py::buffer& data, uint32_t crc) {
  const auto& k = require_kernel(crc32c_kernels(), name);
  const ContiguousBytes bytes(data);
  py::gil_scoped_release release;
  return k.fn(crc, bytes.data, bytes.size);
}

const int kRegistered = register_kernel_op(
    {"crc32c", []() { return describe_kernels(crc32c_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def("run_crc32c", &run_crc32c, py::arg("name"), py::arg("data"), py::arg("crc") = 0);
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
