// u8_to_unit body shared by the ISA files, written for the compiler's vectorizer: each ISA file
// compiles it with its own flags (zero-extend, convert and divide 16 lanes at a time with
// AVX-512, 8 with AVX2, the baseline width in scalar.cc). Include ONLY from ISA files.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mc {
namespace {
namespace u8_to_unit_impl {

inline void convert(const uint8_t* x, size_t n, float* y) {
  for (size_t i = 0; i < n; ++i) y[i] = float(x[i]) / 255.f;
}

}  // namespace u8_to_unit_impl
}  // namespace
}  // namespace mc
