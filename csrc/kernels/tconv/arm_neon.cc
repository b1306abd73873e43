// NEON temporal depthwise conv: 4 pixels x 4 channels per step, buffered tails, float32
// and bfloat16 rings (impl.h).
#include "kernels/tconv/tconv.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/tconv/impl.h"

namespace mc {

void f32_tconv_p4c4__neon(size_t pixels, size_t channels, size_t kt,
                          const float* const* past, const float* cur, float* cur_out,
                          const float* w, const float* bias, float* out, Act act,
                          float* channel_sum) {
  tconv_impl::tconv<neon::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out, act,
                               channel_sum);
}

void f32_bf16ring_tconv_p4c4__neon(size_t pixels, size_t channels, size_t kt,
                                   const uint16_t* const* past, const float* cur,
                                   uint16_t* cur_out, const float* w, const float* bias,
                                   float* out, Act act, float* channel_sum) {
  tconv_impl::tconv<neon::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out, act,
                               channel_sum);
}

}  // namespace mc
