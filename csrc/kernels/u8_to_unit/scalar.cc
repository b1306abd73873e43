// Portable variant: the shared body at the baseline vector width (SSE2 on x86-64, NEON on
// AArch64) (impl.h).
#include "kernels/u8_to_unit/u8_to_unit.h"
#include "kernels/u8_to_unit/impl.h"

namespace mc {

void u8_f32_to_unit__scalar(const uint8_t* x, size_t n, float* y) {
  u8_to_unit_impl::convert(x, n, y);
}

}  // namespace mc
