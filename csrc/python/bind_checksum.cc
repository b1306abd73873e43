// movicore._core.crc32c: the model-file checksum (CRC-32C, dispatched to the CPU's CRC32C
// instruction where it has one), on any C-contiguous buffer, GIL released.
#include "kernels/crc32c/crc32c.h"
#include "python/bind.h"

namespace mc {
namespace py_bind {

void bind_checksum(py::module_& m) {
  m.def(
      "crc32c",
      [](const py::buffer& data, uint32_t crc) {
        const ContiguousBytes bytes(data);
        const Crc32cFn fn = get_crc32c_kernel().fn;
        py::gil_scoped_release release;
        return fn(crc, bytes.data, bytes.size);
      },
      py::arg("data"), py::arg("crc") = 0,
      "CRC-32C of a C-contiguous buffer; `crc` is the CRC of the bytes before it (0 to start), "
      "so crc32c(b, crc32c(a)) == crc32c(a + b).");
  m.def("crc32c_kernel", []() { return std::string(get_crc32c_kernel().name); },
        "Name of the crc32c variant dispatch chose.");
}

}  // namespace py_bind
}  // namespace mc
