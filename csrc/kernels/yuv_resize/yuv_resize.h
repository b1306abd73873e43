// The resize op (kernels/resize/resize.h) read straight from planar 8-bit YUV 4:2:0, the
// usual decoder output: each of the four source pixels a bilinear tap needs is converted to
// RGB (chroma of its 2x2 block, as libswscale's unscaled converter does; rounded, clamped),
// so the frame is never converted whole. Same region semantics, dst layout and contract.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/arch.h"
#include "kernels/registry.h"
#include "kernels/resize/resize.h"

namespace mc {

struct YuvPlanes {
  const uint8_t* y;  // in_h x in_w luma
  ptrdiff_t y_stride;
  const uint8_t* u;  // ceil(in_h/2) x ceil(in_w/2) chroma
  ptrdiff_t u_stride;
  const uint8_t* v;
  ptrdiff_t v_stride;
};

// R = ys * (Y - y0) + rv * (V - 128); G = ys * (Y - y0) - gu * (U - 128) - gv * (V - 128);
// B = ys * (Y - y0) + bu * (U - 128); each floor(x + bias). bias -0.5 (limited range) / 0
// (full range) tracks libswscale's fixed-point rounding (mean |diff| ~0.2 on real frames).
struct YuvToRgb {
  float y0, ys, rv, gu, gv, bu, bias;
};

typedef void (*YuvResizeFn)(const ResizeRegion& r, const YuvPlanes& p, const YuvToRgb& m,
                            uint8_t* dst);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  void name(const ResizeRegion& r, const YuvPlanes& p, const YuvToRgb& m, uint8_t* dst);
#include "kernels/yuv_resize/kernels.inc"
#undef MC_KERNEL

using YuvResizeKernel = KernelEntry<YuvResizeFn>;
KernelList<YuvResizeFn> yuv_resize_kernels();
const YuvResizeKernel& get_yuv_resize_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
