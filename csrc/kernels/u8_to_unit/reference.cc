// The definition in double, rounded once: the ground truth for u8_to_unit (equal to the float
// division for every byte value; the test checks all 256).
#include "kernels/u8_to_unit/u8_to_unit.h"

namespace mc {

void u8_f32_to_unit__reference(const uint8_t* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = float(double(x[i]) / 255.0);
}

}  // namespace mc
