// AVX2 rowsum: blocks of 32 channels, then 8, then a masked tail (impl.h).
#include "kernels/rowsum/rowsum.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/rowsum/impl.h"

namespace mc {

void f32_rowsum_c32__avx2_fma3(size_t pixels, size_t channels, const float* x, float* sum) {
  rowsum_impl::rowsum<avx2::Vec>(pixels, channels, x, sum);
}

}  // namespace mc
