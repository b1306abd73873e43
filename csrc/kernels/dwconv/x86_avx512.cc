// AVX-512 depthwise conv: 16 channels x 8 pixels per step (8 accumulators + 9 weights fit the
// 32 zmm registers), opmask channel tail (impl.h).
#include "kernels/dwconv/dwconv.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/dwconv/impl.h"

namespace mc {

void f32_dwconv_p8c16__avx512(const DwConvParams* p, const float* const* frames, const float* w,
                              const float* bias, float* out, float* channel_sum) {
  dwconv_impl::dwconv<avx512::Vec, 8>(p, frames, w, bias, out, channel_sum);
}

}  // namespace mc

