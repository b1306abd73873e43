// Declarations of the binding units; each lives in its own bind_*.cc file.
#pragma once

#include <pybind11/pybind11.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mc {
namespace py_bind {

namespace py = pybind11;

void bind_errors(py::module_& m);
void bind_cpu(py::module_& m);
void bind_kernels(py::module_& m);
void bind_engine(py::module_& m);
void bind_checksum(py::module_& m);
void bind_video(py::module_& m);

// The bytes of a C-contiguous buffer (bytes, memoryview, any NumPy array), held for the
// object's lifetime; BufferError for a non-contiguous one. Read without the GIL is fine.
class ContiguousBytes {
 public:
  explicit ContiguousBytes(const py::buffer& b) {
    if (PyObject_GetBuffer(b.ptr(), &view_, PyBUF_C_CONTIGUOUS) != 0) {
      throw py::error_already_set();
    }
    data = static_cast<const uint8_t*>(view_.buf);
    size = size_t(view_.len);
  }
  ~ContiguousBytes() { PyBuffer_Release(&view_); }
  ContiguousBytes(const ContiguousBytes&) = delete;
  ContiguousBytes& operator=(const ContiguousBytes&) = delete;

  const uint8_t* data;
  size_t size;

 private:
  Py_buffer view_;
};

// Kernel-op bindings register themselves (one file per op in python/kernels/), so adding an op
// never edits a shared file. `list` describes every variant of the op; `bind` adds run_<op>.
struct KernelOpBinding {
  const char* op;
  std::function<py::list()> list;
  std::function<void(py::module_&)> bind;
};
int register_kernel_op(KernelOpBinding binding);
std::vector<KernelOpBinding>& kernel_op_bindings();

// Describe a kernel list as Python dicts: name, isa, supported, reference, tile_m, tile_n.
template <typename List>
py::list describe_kernels(const List& list, uint64_t isa);

}  // namespace py_bind
}  // namespace mc

#include "python/bind_inl.h"
