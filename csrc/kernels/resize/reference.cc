// Ground truth: every output value on its own, straight from the definition in resize.h.
#include "kernels/resize/resize.h"
#include "kernels/resize/taps.h"

namespace mc {

void u8_resize_bilinear_rgb__reference(const ResizeRegion& r, const uint8_t* src,
                                       ptrdiff_t row_stride, ptrdiff_t col_stride,
                                       uint8_t* dst) {
  auto at = [&](int32_t y, int32_t x, int c) {
    return static_cast<float>(src[y * row_stride + x * col_stride + c]);
  };
  for (int32_t i = 0; i < r.rows; ++i) {
    for (int32_t j = 0; j < r.cols; ++j) {
      for (int c = 0; c < 3; ++c) {
        const BilinearTap ty = bilinear_tap(r.top + i, r.in_h, r.out_h);
        const BilinearTap tx = bilinear_tap(r.left + j, r.in_w, r.out_w);
        uint8_t v = 0;
        if (ty.valid && tx.valid) {
          v = bilinear_u8(at(ty.lo, tx.lo, c), at(ty.lo, tx.hi, c), at(ty.hi, tx.lo, c),
                          at(ty.hi, tx.hi, c), tx.w, ty.w);
        }
        dst[(static_cast<ptrdiff_t>(i) * r.cols + j) * 3 + c] = v;
      }
    }
  }
}

}  // namespace mc
