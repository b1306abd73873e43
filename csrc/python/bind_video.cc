// movicore._core video helpers: the official eval resize/crop of an RGB frame, or straight
// from a decoder's YUV 4:2:0 planes (movicore/video/preprocess.py), with the best kernels.
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "python/bind.h"
#include "python/resize_call.h"

namespace mc {
namespace py_bind {
namespace {

void check_region(int out_h, int out_w, int rows, int cols) {
  if (out_h < 1 || out_w < 1 || rows < 0 || cols < 0) {
    throw std::invalid_argument("resize: need a resized size >= 1 and a region size >= 0, got " +
                                std::to_string(out_h) + "x" + std::to_string(out_w) + ", " +
                                std::to_string(rows) + "x" + std::to_string(cols));
  }
}

void check_u8(const py::array& a, int ndim, const char* what) {
  if (!py::isinstance<py::array_t<uint8_t>>(a) || a.ndim() != ndim) {
    throw std::invalid_argument(std::string("resize: ") + what + " must be a uint8 array with " +
                                std::to_string(ndim) + " dimensions");
  }
  if (a.ndim() > 0 && a.shape(0) > 0 && a.strides(a.ndim() - 1) != 1) {
    throw std::invalid_argument(std::string("resize: ") + what +
                                " needs adjacent elements in its last dimension");
  }
}

}  // namespace

py::array_t<uint8_t> call_resize(const ResizeKernel& k, const py::array& src, int out_h,
                                 int out_w, int top, int left, int rows, int cols) {
  check_u8(src, 3, "src");
  if (src.shape(2) != 3 || src.shape(0) < 1 || src.shape(1) < 1) {
    throw std::invalid_argument("resize: src must be (H, W, 3) with H, W >= 1");
  }
  check_region(out_h, out_w, rows, cols);
  const ResizeRegion r{static_cast<int32_t>(src.shape(0)), static_cast<int32_t>(src.shape(1)),
                       out_h, out_w, top, left, rows, cols};
  py::array_t<uint8_t> dst({rows, cols, 3});
  const auto* p = static_cast<const uint8_t*>(src.data());
  const ptrdiff_t rs = src.strides(0), cs = src.strides(1);
  uint8_t* d = dst.mutable_data();
  {
    py::gil_scoped_release release;
    k.fn(r, p, rs, cs, d);
  }
  return dst;
}

py::array_t<uint8_t> call_yuv_resize(const YuvResizeKernel& k, const py::array& y,
                                     const py::array& u, const py::array& v,
                                     const std::vector<float>& m, int out_h, int out_w,
                                     int top, int left, int rows, int cols) {
  check_u8(y, 2, "y");
  check_u8(u, 2, "u");
  check_u8(v, 2, "v");
  const auto h = y.shape(0), w = y.shape(1);
  if (h < 1 || w < 1 || u.shape(0) < (h + 1) / 2 || u.shape(1) < (w + 1) / 2 ||
      v.shape(0) < (h + 1) / 2 || v.shape(1) < (w + 1) / 2) {
    throw std::invalid_argument("resize: chroma planes smaller than the 4:2:0 luma plane");
  }
  if (m.size() != 7) throw std::invalid_argument("resize: need 7 YUV->RGB coefficients");
  check_region(out_h, out_w, rows, cols);
  const ResizeRegion r{static_cast<int32_t>(h), static_cast<int32_t>(w), out_h, out_w,
                       top, left, rows, cols};
  const YuvPlanes planes{static_cast<const uint8_t*>(y.data()), y.strides(0),
                         static_cast<const uint8_t*>(u.data()), u.strides(0),
                         static_cast<const uint8_t*>(v.data()), v.strides(0)};
  const YuvToRgb coeffs{m[0], m[1], m[2], m[3], m[4], m[5], m[6]};
  py::array_t<uint8_t> dst({rows, cols, 3});
  uint8_t* d = dst.mutable_data();
  {
    py::gil_scoped_release release;
    k.fn(r, planes, coeffs, d);
  }
  return dst;
}

void bind_video(py::module_& m) {
  m.def(
      "resize_region_u8",
      [](const py::array& src, int out_h, int out_w, int top, int left, int rows, int cols) {
        return call_resize(get_resize_kernel(), src, out_h, out_w, top, left, rows, cols);
      },
      py::arg("src"), py::arg("out_h"), py::arg("out_w"), py::arg("top"), py::arg("left"),
      py::arg("rows"), py::arg("cols"),
      R"pbdoc(Region of the official bilinear resize of an (H, W, 3) uint8 image.)pbdoc");
  m.def(
      "yuv420_resize_region_u8",
      [](const py::array& y, const py::array& u, const py::array& v,
         const std::vector<float>& coeffs, int out_h, int out_w, int top, int left, int rows,
         int cols) {
        return call_yuv_resize(get_yuv_resize_kernel(), y, u, v, coeffs, out_h, out_w, top,
                               left, rows, cols);
      },
      py::arg("y"), py::arg("u"), py::arg("v"), py::arg("coeffs"), py::arg("out_h"),
      py::arg("out_w"), py::arg("top"), py::arg("left"), py::arg("rows"), py::arg("cols"),
      R"pbdoc(The same from YUV 4:2:0 planes, converting only the pixels it reads.)pbdoc");
}

}  // namespace py_bind
}  // namespace mc
