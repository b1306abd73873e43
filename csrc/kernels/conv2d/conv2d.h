// Dense 2D convolution with few input channels (the stem: 3 -> F, 3x3, stride 2, TF SAME):
//   out[oy][ox][o] = act(bias[o] + sum_{i<kh, j<kw, c<in_c} w[i][j][c][o] * in[iy][ix][c])
//   iy = oy*stride + i - pad_top, ix = ox*stride + j - pad_left; outside = 0.
// Only output rows [oy_begin, oy_end) are computed. Weights [kh][kw][in_c][out_c], bias
// [out_c]. No over-read/over-write; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

struct Conv2dParams {
  uint32_t in_h, in_w, in_c;
  uint32_t out_h, out_w, out_c;
  uint32_t kh, kw, stride;
  uint32_t pad_top, pad_left;
  uint32_t oy_begin, oy_end;
  Act act;
};

typedef void (*Conv2dFn)(const Conv2dParams* p, const float* in, const float* w,
                         const float* bias, float* out);

#define MC_KERNEL(isa, name, tile_m, tile_n) \
  void name(const Conv2dParams* p, const float* in, const float* w, const float* bias, float* out);
#include "kernels/conv2d/kernels.inc"
#undef MC_KERNEL

using Conv2dKernel = KernelEntry<Conv2dFn>;
KernelList<Conv2dFn> conv2d_kernels();
const Conv2dKernel& get_conv2d_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
