// AVX2 activation: 16 floats per step, masked tail (impl.h).
#include "kernels/act/act.h"
#include "kernels/simd/avx2_vec.h"
#include "kernels/act/impl.h"

namespace mc {

void f32_act_u16__avx2_fma3(size_t n, const float* x, float* y, Act act) {
  act_impl::act<avx2::Vec>(n, x, y, act);
}

}  // namespace mc
