// Portable fallback: row taps once per output row, column taps and the four converted source
// pixels once per output pixel (not per channel).
#include "kernels/resize/taps.h"
#include "kernels/yuv_resize/yuv_pixel.h"
#include "kernels/yuv_resize/yuv_resize.h"

namespace mc {

void u8_yuv420_resize_bilinear_rgb__scalar(const ResizeRegion& r, const YuvPlanes& p,
                                           const YuvToRgb& m, uint8_t* dst) {
  for (int32_t i = 0; i < r.rows; ++i) {
    const BilinearTap ty = bilinear_tap(r.top + i, r.in_h, r.out_h);
    uint8_t* out = dst + static_cast<ptrdiff_t>(i) * r.cols * 3;
    for (int32_t j = 0; j < r.cols; ++j, out += 3) {
      const BilinearTap tx = bilinear_tap(r.left + j, r.in_w, r.out_w);
      if (!ty.valid || !tx.valid) {
        out[0] = out[1] = out[2] = 0;
        continue;
      }
      float tl[3], tr[3], bl[3], br[3];
      yuv420_pixel_rgb(p, m, ty.lo, tx.lo, tl);
      yuv420_pixel_rgb(p, m, ty.lo, tx.hi, tr);
      yuv420_pixel_rgb(p, m, ty.hi, tx.lo, bl);
      yuv420_pixel_rgb(p, m, ty.hi, tx.hi, br);
      for (int c = 0; c < 3; ++c) out[c] = bilinear_u8(tl[c], tr[c], bl[c], br[c], tx.w, ty.w);
    }
  }
}

}  // namespace mc
