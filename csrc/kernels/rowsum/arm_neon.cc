// NEON rowsum: blocks of 16 channels, then 4, then a stack-buffer tail (impl.h).
#include "kernels/rowsum/rowsum.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/rowsum/impl.h"

namespace mc {

void f32_rowsum_c16__neon(size_t pixels, size_t channels, const float* x, float* sum) {
  rowsum_impl::rowsum<neon::Vec>(pixels, channels, x, sum);
}

}  // namespace mc
