// Portable fallback: the row taps once per output row, the column taps once per pixel, all
// three channels from the same four source pixels.
#include "kernels/resize/resize.h"
#include "kernels/resize/taps.h"

namespace mc {

void u8_resize_bilinear_rgb__scalar(const ResizeRegion& r, const uint8_t* src,
                                    ptrdiff_t row_stride, ptrdiff_t col_stride, uint8_t* dst) {
  for (int32_t i = 0; i < r.rows; ++i) {
    const BilinearTap ty = bilinear_tap(r.top + i, r.in_h, r.out_h);
    uint8_t* out = dst + static_cast<ptrdiff_t>(i) * r.cols * 3;
    const uint8_t* row0 = src + ty.lo * row_stride;
    const uint8_t* row1 = src + ty.hi * row_stride;
    for (int32_t j = 0; j < r.cols; ++j, out += 3) {
      const BilinearTap tx = bilinear_tap(r.left + j, r.in_w, r.out_w);
      if (!ty.valid || !tx.valid) {
        out[0] = out[1] = out[2] = 0;
        continue;
      }
      const uint8_t* tl = row0 + tx.lo * col_stride;
      const uint8_t* tr = row0 + tx.hi * col_stride;
      const uint8_t* bl = row1 + tx.lo * col_stride;
      const uint8_t* br = row1 + tx.hi * col_stride;
      for (int c = 0; c < 3; ++c) {
        out[c] = bilinear_u8(tl[c], tr[c], bl[c], br[c], tx.w, ty.w);
      }
    }
  }
}

}  // namespace mc
