// Test bindings of every resize / yuv_resize variant (run_resize, run_yuv_resize).
#include <pybind11/stl.h>

#include <string>
#include <vector>

#include "python/bind.h"
#include "python/resize_call.h"

namespace mc {
namespace py_bind {
namespace {

const int kResize = register_kernel_op(
    {"resize", []() { return describe_kernels(resize_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def(
           "run_resize",
           [](const std::string& name, const py::array& src, int out_h, int out_w, int top,
              int left, int rows, int cols) {
             return call_resize(require_kernel(resize_kernels(), name), src, out_h, out_w,
                                top, left, rows, cols);
           },
           py::arg("name"), py::arg("src"), py::arg("out_h"), py::arg("out_w"), py::arg("top"),
           py::arg("left"), py::arg("rows"), py::arg("cols"));
     }});

const int kYuvResize = register_kernel_op(
    {"yuv_resize", []() { return describe_kernels(yuv_resize_kernels(), cpu_isa()); },
     [](py::module_& m) {
       m.def(
           "run_yuv_resize",
           [](const std::string& name, const py::array& y, const py::array& u,
              const py::array& v, const std::vector<float>& coeffs, int out_h, int out_w,
              int top, int left, int rows, int cols) {
             return call_yuv_resize(require_kernel(yuv_resize_kernels(), name), y, u, v,
                                    coeffs, out_h, out_w, top, left, rows, cols);
           },
           py::arg("name"), py::arg("y"), py::arg("u"), py::arg("v"), py::arg("coeffs"),
           py::arg("out_h"), py::arg("out_w"), py::arg("top"), py::arg("left"),
           py::arg("rows"), py::arg("cols"));
     }});

}  // namespace
}  // namespace py_bind
}  // namespace mc
