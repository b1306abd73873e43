// Causal temporal depthwise convolution (the temporal half of a (2+1)D conv), reading the kt
// frames straight from the stream ring buffer (no copies):
//   out[p][c] = act(bias[c] + sum_{t<kt} w[t][c] * frames[t][p][c])   for p < pixels
// frames[t]: oldest first, none null (the ring buffer starts zeroed). channel_sum, if not null,
// receives sum_p out[p][c] (overwritten). Weights [kt][channels], bias [channels].
// out may not alias any frame. No over-read/over-write; never allocates.
#pragma once

#include <cstddef>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*TConvFn)(size_t pixels, size_t channels, size_t kt, const float* const* frames,
                        const float* w, const float* bias, float* out, Act act,
                        float* channel_sum);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                                 \
  void name(size_t pixels, size_t channels, size_t kt, const float* const* frames,          \
            const float* w, const float* bias, float* out, Act act, float* channel_sum);
#include "kernels/tconv/kernels.inc"
#undef MC_KERNEL

using TConvKernel = KernelEntry<TConvFn>;
KernelList<TConvFn> tconv_kernels();
const TConvKernel& get_tconv_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
