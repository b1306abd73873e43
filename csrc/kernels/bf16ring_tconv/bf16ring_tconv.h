// Causal temporal depthwise conv over a bfloat16 ring buffer (int8 files, see
// movicore/quant/scheme.py): the kt-1 past frames are stored as bfloat16, half the bytes that
// A1-A3 otherwise stream from DRAM every frame; the current frame arrives as float32 (the
// spatial conv's output) and is rounded into the free ring slot for the next frames:
//   out[p][c] = act(bias[c] + sum_{t<kt-1} w[t][c] * float(past[t][p][c]) + w[kt-1][c] * cur[p][c])
//   cur_out[p][c] = bf16(cur[p][c])        (base/bf16.h: round to nearest even)
// Summation in that order (as the float tconv op). past[t]: oldest first, none null. kt >= 1
// (kt = 1: no past frame). channel_sum, if not null, receives sum_p out[p][c] (overwritten).
// Weights [kt][channels], bias [channels]. out and cur_out alias nothing. No over-read or
// over-write; never allocates.
#pragma once

#include <cstddef>
#include <cstdint>

#include "base/activation.h"
#include "base/arch.h"
#include "kernels/registry.h"

namespace mc {

typedef void (*Bf16RingTConvFn)(size_t pixels, size_t channels, size_t kt,
                                const uint16_t* const* past, const float* cur, uint16_t* cur_out,
                                const float* w, const float* bias, float* out, Act act,
                                float* channel_sum);

#define MC_KERNEL(isa, name, tile_m, tile_n)                                                  \
  void name(size_t pixels, size_t channels, size_t kt, const uint16_t* const* past,          \
            const float* cur, uint16_t* cur_out, const float* w, const float* bias,          \
            float* out, Act act, float* channel_sum);
#include "kernels/bf16ring_tconv/kernels.inc"
#undef MC_KERNEL

using Bf16RingTConvKernel = KernelEntry<Bf16RingTConvFn>;
KernelList<Bf16RingTConvFn> bf16ring_tconv_kernels();
const Bf16RingTConvKernel& get_bf16ring_tconv_kernel(uint64_t isa = cpu_isa());

}  // namespace mc
