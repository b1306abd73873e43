// NEON average pool: 8 channels per step, buffered tail (impl.h).
#include "kernels/avgpool/avgpool.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/avgpool/impl.h"

namespace mc {

void f32_avgpool_c8__neon(const AvgPoolParams* p, const float* in, float* out) {
  avgpool_impl::avgpool<neon::Vec>(p, in, out);
}

}  // namespace mc
