// Ground truth: every output value on its own, straight from the definitions.
#include "kernels/resize/taps.h"
#include "kernels/yuv_resize/yuv_pixel.h"
#include "kernels/yuv_resize/yuv_resize.h"

namespace mc {

void u8_yuv420_resize_bilinear_rgb__reference(const ResizeRegion& r, const YuvPlanes& p,
                                              const YuvToRgb& m, uint8_t* dst) {
  for (int32_t i = 0; i < r.rows; ++i) {
    for (int32_t j = 0; j < r.cols; ++j) {
      for (int c = 0; c < 3; ++c) {
        const BilinearTap ty = bilinear_tap(r.top + i, r.in_h, r.out_h);
        const BilinearTap tx = bilinear_tap(r.left + j, r.in_w, r.out_w);
        uint8_t v = 0;
        if (ty.valid && tx.valid) {
          float tl[3], tr[3], bl[3], br[3];
          yuv420_pixel_rgb(p, m, ty.lo, tx.lo, tl);
          yuv420_pixel_rgb(p, m, ty.lo, tx.hi, tr);
          yuv420_pixel_rgb(p, m, ty.hi, tx.lo, bl);
          yuv420_pixel_rgb(p, m, ty.hi, tx.hi, br);
          v = bilinear_u8(tl[c], tr[c], bl[c], br[c], tx.w, ty.w);
        }
        dst[(static_cast<ptrdiff_t>(i) * r.cols + j) * 3 + c] = v;
      }
    }
  }
}

}  // namespace mc
