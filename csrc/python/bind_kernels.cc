// Private movicore._core._kernels: list(op) describes every variant; run_<op>(name, ...) runs a
// named variant on NumPy arrays (tests and benchmarks only).
#include <pybind11/stl.h>

#include "python/bind.h"

namespace mc {
namespace py_bind {

std::vector<KernelOpBinding>& kernel_op_bindings() {
  static std::vector<KernelOpBinding> bindings;
  return bindings;
}

int register_kernel_op(KernelOpBinding binding) {
  kernel_op_bindings().push_back(std::move(binding));
  return 0;
}

void bind_kernels(py::module_& m) {
  py::module_ k = m.def_submodule("_kernels", "Kernel variants (private: tests and benches).");
  k.def("ops", []() {
    py::list ops;
    for (const auto& b : kernel_op_bindings()) ops.append(b.op);
    return ops;
  });
  k.def(
      "list",
      [](const std::string& op) {
        for (const auto& b : kernel_op_bindings()) {
          if (op == b.op) return b.list();
        }
        throw std::invalid_argument("unknown kernel op '" + op + "'");
      },
      py::arg("op"));
  for (const auto& b : kernel_op_bindings()) b.bind(k);
}

}  // namespace py_bind
}  // namespace mc
