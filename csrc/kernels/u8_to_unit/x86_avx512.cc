// AVX-512 u8_to_unit: the shared body vectorized 16 lanes wide (impl.h).
#include "kernels/u8_to_unit/u8_to_unit.h"
#include "kernels/u8_to_unit/impl.h"

namespace mc {

void u8_f32_to_unit_x16__avx512(const uint8_t* x, size_t n, float* y) {
  u8_to_unit_impl::convert(x, n, y);
}

}  // namespace mc
