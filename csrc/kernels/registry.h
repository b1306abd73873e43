// Kernel registry shared by every op: one entry per variant, listed best-first in the op's
// kernels.inc. Dispatch takes the first entry the ISA mask supports; the plain reference
// (kIsaReference) is listed last and only used by tests as ground truth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "base/arch.h"

namespace mc {

template <typename Fn>
struct KernelEntry {
  const char* name;  // <dtype>_<op>[_<epi>]_<tile>__<isa>[_<variant>]
  uint64_t isa;      // required ISA bits
  Fn fn;
  uint32_t tile_m;  // rows (or unroll) per main-loop step
  uint32_t tile_n;  // columns / channels per main-loop step
};

template <typename Fn>
struct KernelList {
  const KernelEntry<Fn>* data;
  size_t size;
  const KernelEntry<Fn>* begin() const { return data; }
  const KernelEntry<Fn>* end() const { return data + size; }

  // Best supported non-reference variant; the scalar entry always matches.
  const KernelEntry<Fn>& pick(uint64_t isa) const {
    for (size_t i = 0; i < size; ++i) {
      if (data[i].isa != kIsaReference && is_supported(data[i].isa, isa)) return data[i];
    }
    return data[size - 1];
  }
  const KernelEntry<Fn>* find(const char* name) const {
    for (size_t i = 0; i < size; ++i) {
      if (std::strcmp(data[i].name, name) == 0) return &data[i];
    }
    return nullptr;
  }
};

}  // namespace mc
