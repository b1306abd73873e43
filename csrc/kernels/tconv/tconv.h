// Causal temporal depthwise convolution (the temporal half of a (2+1)D conv) over the stream's
// ring buffer: the kt-1 past frames are read from their ring slots, the current frame is
// float32 (the spatial conv's output):
//   out[p][c] = act(bias[c] + sum_{t<kt-1} w[t][c] * past[t][p][c] + w[kt-1][c] * cur[p][c])
//   cur_out[p][c] = cur[p][c]   (if cur_out is not null: the current frame into its ring slot)
// summed in that order. Two ring element types, one op each: float32 (tconv; the engine has
// the spatial conv write the ring slot itself and passes cur_out = null) and bfloat16
// (bf16ring_tconv, int8 files: half the bytes the past frames stream from DRAM; past values
// widened exactly, cur_out rounded to nearest even by the rule of base/bf16.h).
// past[t]: oldest first, none null (the ring starts zeroed); kt >= 1 (kt = 1: no past frame).
// channel_sum, if not null, receives sum_p out[p][c] (overwritten). Weights [kt][channels],
// bias [channels]. out and cur_out alias nothing. No over-read or over-write; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*TConvFn)(size_t pixels, size_t channels, size_t kt, const float* const* past,
                        const float* cur, float* cur_out, const float* w, const float* bias,
                        float* out, Act act, float* channel_sum);
typedef void (*Bf16RingTConvFn)(size_t pixels, size_t channels, size_t kt,
                                const uint16_t* const* past, const float* cur, uint16_t* cur_out,
                                const float* w, const float* bias, float* out, Act act,
                                float* channel_sum);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                                  \
  void name(size_t pixels, size_t channels, size_t kt, const float* const* past,             \
            const float* cur, float* cur_out, const float* w, const float* bias, float* out, \
            Act act, float* channel_sum);
#include "kernels/tconv/kernels.inc"
#undef MC_KERNEL
#define MC_KERNEL(isa, name, tile_m, tile_n)                                                  \
  void name(size_t pixels, size_t channels, size_t kt, const uint16_t* const* past,          \
            const float* cur, uint16_t* cur_out, const float* w, const float* bias,          \
            float* out, Act act, float* channel_sum);
#include "kernels/tconv/kernels_bf16ring.inc"
#undef MC_KERNEL

using TConvKernel = KernelEntry<TConvFn>;
KernelList<TConvFn> tconv_kernels();
const TConvKernel& get_tconv_kernel(uint64_t isa = cpu_isa());

using Bf16RingTConvKernel = KernelEntry<Bf16RingTConvFn>;
KernelList<Bf16RingTConvFn> bf16ring_tconv_kernels();
const Bf16RingTConvKernel& get_bf16ring_tconv_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
