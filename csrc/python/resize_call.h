// Array checks + GIL-free call of a resize / yuv_resize kernel variant; shared by the public
// binding (bind_video.cc, dispatched kernel) and the per-variant test binding.
#pragma once

#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>

#include "kernels/resize/resize.h"
#include "kernels/yuv_resize/yuv_resize.h"

namespace mc {
namespace py_bind {

namespace py = pybind11;

// src: (H, W, 3) uint8, any row/column strides (channels adjacent); returns (rows, cols, 3).
py::array_t<uint8_t> call_resize(const ResizeKernel& k, const py::array& src, int out_h,
                                 int out_w, int top, int left, int rows, int cols);

// y: (H, W) uint8; u, v: (ceil(H/2), ceil(W/2)) uint8 (row strides free); m: 7 coefficients
// (y0, ys, rv, gu, gv, bu, bias); returns (rows, cols, 3) RGB.
py::array_t<uint8_t> call_yuv_resize(const YuvResizeKernel& k, const py::array& y,
                                     const py::array& u, const py::array& v,
                                     const std::vector<float>& m, int out_h, int out_w,
                                     int top, int left, int rows, int cols);

}  // namespace py_bind
}  // namespace mc
