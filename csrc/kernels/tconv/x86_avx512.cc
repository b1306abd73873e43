// AVX-512 temporal depthwise conv: 4 pixels x 16 channels per step, opmask tails, float32
// and bfloat16 rings (impl.h). Flattened: GCC kept impl.h's per-step block() out of line, a
// call per 16 channels x 4 pixels (Zen 5, A2-stream in the network: the spatial + temporal
// convs 868-905 -> 746-770 us per frame flattened; the AVX2 file, with half the registers, was
// 1 % slower inlined, so it keeps the calls).
#include "kernels/tconv/tconv.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/tconv/impl.h"

namespace mc {

__attribute__((flatten)) void f32_tconv_p4c16__avx512(size_t pixels, size_t channels,
                                                      size_t kt, const float* const* past,
                                                      const float* cur, float* cur_out,
                                                      const float* w, const float* bias,
                                                      float* out, Act act,
                                                      float* channel_sum) {
  tconv_impl::tconv<avx512::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out, act,
                                 channel_sum);
}

__attribute__((flatten)) void f32_bf16ring_tconv_p4c16__avx512(
    size_t pixels, size_t channels, size_t kt, const uint16_t* const* past, const float* cur,
    uint16_t* cur_out, const float* w, const float* bias, float* out, Act act,
    float* channel_sum) {
  tconv_impl::tconv<avx512::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out, act,
                                 channel_sum);
}

}  // namespace mc
