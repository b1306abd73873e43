// Plain loops over the definition, reading the packed layout element by element and
// accumulating in double: the ground truth for every gemm variant.
#include "kernels/gemm/gemm.h"

namespace mc {

void f32_gemm__reference(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                         const float* packed_w, float* c, size_t c_stride, const float* residual,
                         size_t r_stride, Act act) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const float* panel = packed_w + (j / kGemmNR) * kGemmNR * (k + 1);
      const size_t jj = j % kGemmNR;
      double acc = panel[jj];
      for (size_t p = 0; p < k; ++p) {
        acc += double(a[i * a_stride + p]) * double(panel[kGemmNR * (p + 1) + jj]);
      }
      float v = act_scalar(act, float(acc));
      if (residual != nullptr) v += residual[i * r_stride + j];
      c[i * c_stride + j] = v;
    }
  }
}

}  // namespace mc
