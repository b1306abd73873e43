// NEON activation: 8 floats per step, stack-buffer tail (impl.h).
#include "kernels/act/act.h"
#include "kernels/simd/neon_vec.h"
#include "kernels/act/impl.h"

namespace mc {

void f32_act_u8__neon(size_t n, const float* x, float* y, Act act) {
  act_impl::act<neon::Vec>(n, x, y, act);
}

}  // namespace mc
