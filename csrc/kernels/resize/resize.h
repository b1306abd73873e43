// Bilinear resize of an interleaved RGB uint8 image, computing only a region of the output:
// the official MoViNet eval transform (tf.image.resize bilinear: half-pixel centers, no
// antialiasing, float32 interpolation, uint8 by truncation) followed by a crop, in one pass.
// Source pixel (y, x) channel c is src[y * row_stride + x * col_stride + c]; strides may be
// negative (rotated views). dst is rows * cols * 3 contiguous; output pixels outside the
// resized image (zero padding) are 0. No over-read/over-write; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

struct ResizeRegion {
  int32_t in_h, in_w;    // source size
  int32_t out_h, out_w;  // size of the whole resized image
  int32_t top, left;     // first row / column of the region (negative = zero padding)
  int32_t rows, cols;    // region size = dst size
};

typedef void (*ResizeFn)(const ResizeRegion& r, const uint8_t* src, ptrdiff_t row_stride,
                         ptrdiff_t col_stride, uint8_t* dst);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                       \
  void name(const ResizeRegion& r, const uint8_t* src, ptrdiff_t row_stride, \
            ptrdiff_t col_stride, uint8_t* dst);
#include "kernels/resize/kernels.inc"
#undef MC_KERNEL

using ResizeKernel = KernelEntry<ResizeFn>;
KernelList<ResizeFn> resize_kernels();
const ResizeKernel& get_resize_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
