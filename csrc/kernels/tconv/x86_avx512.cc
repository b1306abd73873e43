// AVX-512 temporal depthwise conv: 4 pixels x 16 channels per step, opmask tails, float32
// and bfloat16 rings (impl.h).
#include "kernels/tconv/tconv.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/tconv/impl.h"

namespace mc {

void f32_tconv_p4c16__avx512(size_t pixels, size_t channels, size_t kt,
                             const float* const* past, const float* cur, float* cur_out,
                             const float* w, const float* bias, float* out, Act act,
                             float* channel_sum) {
  tconv_impl::tconv<avx512::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out, act,
                                 channel_sum);
}

void f32_bf16ring_tconv_p4c16__avx512(size_t pixels, size_t channels, size_t kt,
                                      const uint16_t* const* past, const float* cur,
                                      uint16_t* cur_out, const float* w, const float* bias,
                                      float* out, Act act, float* channel_sum) {
  tconv_impl::tconv<avx512::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out, act,
                                 channel_sum);
}

}  // namespace mc
