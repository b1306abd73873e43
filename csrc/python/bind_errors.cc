#include "base/errors.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {

void bind_errors(py::module_& m) {
  // The Python exception types live in movicore.errors (importable without the compiled core);
  // core exceptions are translated to them here. Other std::invalid_argument -> ValueError
  // (pybind11's default).
  py::object state_error = py::module_::import("movicore.errors").attr("StateError");
  m.attr("StateError") = state_error;
  static PyObject* const state_error_type = state_error.release().ptr();  // lives with the module
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const mc::StateError& e) {
      PyErr_SetString(state_error_type, e.what());
    }
  });
}

}  // namespace py_bind
}  // namespace mc
