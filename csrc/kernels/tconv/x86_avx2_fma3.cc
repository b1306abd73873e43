// AVX2/FMA temporal depthwise conv: 4 pixels x 8 channels per step, masked tail (impl.h).
#include "kernels/tconv/tconv.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/tconv/impl.h"

namespace mc {

void f32_tconv_p4c8__avx2_fma3(size_t pixels, size_t channels, size_t kt,
                               const float* const* frames, const float* w, const float* bias,
                               float* out, Act act, float* channel_sum) {
  tconv_impl::tconv<avx2::Vec>(pixels, channels, kt, frames, w, bias, out, act, channel_sum);
}

}  // namespace mc
