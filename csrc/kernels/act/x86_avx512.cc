// AVX-512 activation: 32 floats per step, opmask tail (impl.h).
#include "kernels/act/act.h"
#include "kernels/simd/avx512_vec.h"
#include "kernels/act/impl.h"

namespace mc {

void f32_act_u32__avx512(size_t n, const float* x, float* y, Act act) {
  act_impl::act<avx512::Vec>(n, x, y, act);
}

}  // namespace mc
