// AVX-512 average pool: 32 channels per step, opmask tail (impl.h).
#include "kernels/avgpool/avgpool.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/avgpool/impl.h"

namespace mc {

void f32_avgpool_c32__avx512(const AvgPoolParams* p, const float* in, float* out) {
  avgpool_impl::avgpool<avx512::Vec>(p, in, out);
}

}  // namespace mc
