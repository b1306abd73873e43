// AVX2 range check: the shared body vectorized 8 lanes wide (impl.h).
#include "kernels/range_check/range_check.h"
#include "kernels/range_check/impl.h"

namespace mc {

bool f32_range_check_x8__avx2_fma3(const float* x, size_t n, float lo, float hi) {
  return range_check_impl::all_in_range(x, n, lo, hi);
}

}  // namespace mc
