// Plain loop over the scalar definition: the ground truth for every act variant.
#include "kernels/act/act.h"

namespace mc {

void f32_act__reference(size_t n, const float* x, float* y, Act act) {
  for (size_t i = 0; i < n; ++i) y[i] = act_scalar(act, x[i]);
}

}  // namespace mc
