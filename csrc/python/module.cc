// The compiled extension movicore._core. Each bind_*.cc file adds one concern.
#include <pybind11/pybind11.h>

#include "python/bind.h"

PYBIND11_MODULE(_core, m) {
  m.doc() = R"pbdoc(movicore compiled core (private; use the movicore package API).)pbdoc";
  mc::py_bind::bind_errors(m);
  mc::py_bind::bind_cpu(m);
  mc::py_bind::bind_kernels(m);
  mc::py_bind::bind_engine(m);
  mc::py_bind::bind_checksum(m);
  mc::py_bind::bind_video(m);
}
