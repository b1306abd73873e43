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
  reference_region(r, dst, [&](const BilinearTap& ty, const BilinearTap& tx, int c) {
    return bilinear_u8(at(ty.lo, tx.lo, c), at(ty.lo, tx.hi, c), at(ty.hi, tx.lo, c),
                       at(ty.hi, tx.hi, c), tx.w, ty.w);
  });
}

}  // namespace mc
