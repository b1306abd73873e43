// AVX-512 temporal depthwise conv: 4 pixels x 16 channels per step, opmask tail (impl.h).
#include "kernels/tconv/tconv.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/tconv/impl.h"

namespace mc {

void f32_tconv_p4c16__avx512(size_t pixels, size_t channels, size_t kt,
                             const float* const* frames, const float* w, const float* bias,
                             float* out, Act act, float* channel_sum) {
  tconv_impl::tconv<avx512::Vec>(pixels, channels, kt, frames, w, bias, out, act, channel_sum);
}

}  // namespace mc
