// AVX2 average pool: 16 channels per step, masked tail (impl.h).
#include "kernels/avgpool/avgpool.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/avgpool/impl.h"

namespace mc {

void f32_avgpool_c16__avx2_fma3(const AvgPoolParams* p, const float* in, float* out) {
  avgpool_impl::avgpool<avx2::Vec>(p, in, out);
}

}  // namespace mc
