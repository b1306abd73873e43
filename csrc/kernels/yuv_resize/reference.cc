// Ground truth: every output value on its own, straight from the definitions.
#include "kernels/resize/taps.h"
#include "kernels/yuv_resize/yuv_pixel.h"
#include "kernels/yuv_resize/yuv_resize.h"

namespace mc {

void u8_yuv420_resize_bilinear_rgb__reference(const ResizeRegion& r, const YuvPlanes& p,
                                              const YuvToRgb& m, uint8_t* dst) {
  reference_region(r, dst, [&](const BilinearTap& ty, const BilinearTap& tx, int c) {
    float tl[3], tr[3], bl[3], br[3];
    yuv420_pixel_rgb(p, m, ty.lo, tx.lo, tl);
    yuv420_pixel_rgb(p, m, ty.lo, tx.hi, tr);
    yuv420_pixel_rgb(p, m, ty.hi, tx.lo, bl);
    yuv420_pixel_rgb(p, m, ty.hi, tx.hi, br);
    return bilinear_u8(tl[c], tr[c], bl[c], br[c], tx.w, ty.w);
  });
}

}  // namespace mc
