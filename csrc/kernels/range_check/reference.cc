// The definition, one value at a time: the ground truth for range_check.
#include "kernels/range_check/range_check.h"

namespace mc {

bool f32_range_check__reference(const float* x, size_t n, float lo, float hi) {
  for (size_t i = 0; i < n; ++i) {
    if (!(x[i] >= lo && x[i] <= hi)) return false;
  }
  return true;
}

}  // namespace mc
