// AVX2/FMA depthwise conv: 8 channels x 4 pixels per step, masked channel tail (impl.h).
#include "kernels/dwconv/dwconv.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/dwconv/impl.h"

namespace mc {

void f32_dwconv_p4c8__avx2_fma3(const DwConvParams* p, const float* const* frames,
                                const float* w, const float* bias, float* out,
                                float* channel_sum) {
  dwconv_impl::dwconv<avx2::Vec, 4>(p, frames, w, bias, out, channel_sum);
}

}  // namespace mc
