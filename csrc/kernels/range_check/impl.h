// Range-check body shared by the ISA files, written for the compiler's vectorizer: each ISA
// file compiles it with its own flags (16 lanes per compare with AVX-512, 8 with AVX2, the
// baseline SSE2 / NEON width in scalar.cc). Blocks of kBlock values keep the inner loop free
// of branches (an unsigned OR of the failed compares; a bool accumulator or an early exit per
// value stops GCC from vectorizing it) and still stop soon after a bad block.
// Include ONLY from ISA files (internal linkage).
#pragma once

#include <cstddef>

namespace mc {
namespace {
namespace range_check_impl {

constexpr size_t kBlock = 1024;

inline bool all_in_range(const float* x, size_t n, float lo, float hi) {
  for (size_t b = 0; b < n; b += kBlock) {
    const size_t e = n - b < kBlock ? n : b + kBlock;
    unsigned bad = 0;
    for (size_t i = b; i < e; ++i) bad |= unsigned(!(x[i] >= lo)) | unsigned(!(x[i] <= hi));
    if (bad != 0) return false;
  }
  return true;
}

}  // namespace range_check_impl
}  // namespace
}  // namespace mc
