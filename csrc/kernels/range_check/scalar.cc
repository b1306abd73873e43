// Portable variant: the shared body at the baseline vector width (SSE2 on x86-64, NEON on
// AArch64) (impl.h).
#include "kernels/range_check/range_check.h"
#include "kernels/range_check/impl.h"

namespace mc {

bool f32_range_check__scalar(const float* x, size_t n, float lo, float hi) {
  return range_check_impl::all_in_range(x, n, lo, hi);
}

}  // namespace mc
