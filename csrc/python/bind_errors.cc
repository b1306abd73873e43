#include "base/errors.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {

void bind_errors(py::module_& m) {
  // ModelFormatError is defined in Python (movicore.errors); the core raises ValueError
  // subclasses through std::invalid_argument, mapped by pybind11.
  py::register_exception<mc::StateError>(m, "StateError", PyExc_ValueError);
}

}  // namespace py_bind
}  // namespace mc
