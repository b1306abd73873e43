// AVX2 u8_to_unit: the shared body vectorized 8 lanes wide (impl.h).
#include "kernels/u8_to_unit/u8_to_unit.h"
#include "kernels/u8_to_unit/impl.h"

namespace mc {

void u8_f32_to_unit_x8__avx2_fma3(const uint8_t* x, size_t n, float* y) {
  u8_to_unit_impl::convert(x, n, y);
}

}  // namespace mc
