// NEON depthwise conv: 4 channels x 4 pixels per step, channel tail via a stack buffer (impl.h).
#include "kernels/dwconv/dwconv.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/dwconv/impl.h"

namespace mc {

void f32_dwconv_p4c4__neon(const DwConvParams* p, const float* const* frames, const float* w,
                           const float* bias, float* out, float* channel_sum) {
  dwconv_impl::dwconv<neon::Vec, 4>(p, frames, w, bias, out, channel_sum);
}

}  // namespace mc
