// NEON temporal depthwise conv: 4 pixels x 4 channels per step, buffered tail (impl.h).
#include "kernels/tconv/tconv.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/tconv/impl.h"

namespace mc {

void f32_tconv_p4c4__neon(size_t pixels, size_t channels, size_t kt, const float* const* frames,
                          const float* w, const float* bias, float* out, Act act,
                          float* channel_sum) {
  tconv_impl::tconv<neon::Vec>(pixels, channels, kt, frames, w, bias, out, act, channel_sum);
}

}  // namespace mc
