// AVX-512 rowsum: blocks of 64 channels, then 16, then a opmask tail (impl.h).
#include "kernels/rowsum/rowsum.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/rowsum/impl.h"

namespace mc {

void f32_rowsum_c64__avx512(size_t pixels, size_t channels, const float* x, float* sum) {
  rowsum_impl::rowsum<avx512::Vec>(pixels, channels, x, sum);
}

}  // namespace mc
