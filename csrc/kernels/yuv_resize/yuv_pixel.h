// One YUV 4:2:0 pixel to RGB: float math, floor(value + bias), clamped to 0..255.
#pragma once

#include <algorithm>

#include "kernels/yuv_resize/yuv_resize.h"

namespace mc {

inline void yuv420_pixel_rgb(const YuvPlanes& p, const YuvToRgb& m, int32_t y, int32_t x,
                             float rgb[3]) {
  const float luma = m.ys * (static_cast<float>(p.y[y * p.y_stride + x]) - m.y0);
  const float u = static_cast<float>(p.u[(y >> 1) * p.u_stride + (x >> 1)]) - 128.f;
  const float v = static_cast<float>(p.v[(y >> 1) * p.v_stride + (x >> 1)]) - 128.f;
  const float c[3] = {luma + m.rv * v, luma - m.gu * u - m.gv * v, luma + m.bu * u};
  // floor(x + bias) clamped = truncation of the clamped value (no libm call)
  for (int k = 0; k < 3; ++k) {
    rgb[k] = static_cast<float>(static_cast<int>(std::clamp(c[k] + m.bias, 0.f, 255.f)));
  }
}

}  // namespace mc
