// NEON bfloat16-ring temporal conv: 4 pixels x 4 channels per step (impl.h).
#include "kernels/bf16ring_tconv/bf16ring_tconv.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/bf16ring_tconv/impl.h"

namespace mc {

void f32_bf16ring_tconv_p4c4__neon(size_t pixels, size_t channels, size_t kt,
                                   const uint16_t* const* past, const float* cur,
                                   uint16_t* cur_out, const float* w, const float* bias,
                                   float* out, Act act, float* channel_sum) {
  bf16ring_tconv_impl::run<neon::Vec>(pixels, channels, kt, past, cur, cur_out, w, bias, out,
                                      act, channel_sum);
}

}  // namespace mc
