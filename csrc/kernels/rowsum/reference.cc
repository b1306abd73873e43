// Plain loops over the definition, accumulating in double: the ground truth for rowsum.
#include "kernels/rowsum/rowsum.h"

namespace mc {

void f32_rowsum__reference(size_t pixels, size_t channels, const float* x, float* sum) {
  for (size_t c = 0; c < channels; ++c) {
    double acc = 0.0;
    for (size_t p = 0; p < pixels; ++p) acc += x[p * channels + c];
    sum[c] = float(acc);
  }
}

}  // namespace mc
