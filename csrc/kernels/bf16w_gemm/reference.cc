// Plain loops over the definition, element by element, accumulating in double: the ground truth
// for every bf16w_gemm variant.
#include "kernels/bf16w_gemm/bf16w_gemm.h"

namespace mc {

void f32_bf16w_gemm__reference(size_t m, size_t n, size_t k, const float* a, size_t a_stride,
                               const uint16_t* packed_w, float* c, size_t c_stride, Act act) {
  for (size_t i = 0; i < m; ++i) {
    for (size_t j = 0; j < n; ++j) {
      const uint16_t* panel = packed_w + (j / kBf16wNR) * bf16w_panel_elems(k);
      const size_t jj = j % kBf16wNR;
      float bias;
      std::memcpy(&bias, panel + 2 * jj, sizeof bias);
      double acc = bias;
      for (size_t p = 0; p < k; ++p) {
        const uint16_t w = panel[2 * kBf16wNR + p * kBf16wNR + jj];
        acc += double(a[i * a_stride + p]) * double(from_bf16(w));
      }
      c[i * c_stride + j] = act_scalar(act, float(acc));
    }
  }
}

}  // namespace mc
