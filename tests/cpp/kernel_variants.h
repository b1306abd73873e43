// Iterate every registered variant of an op, one test run per supported variant.
#pragma once

#include <string>

#include "base/arch.h"
#include "harness.h"

namespace mc_test {

// Calls body(kernel) for each non-reference variant the CPU supports; returns how many ran.
template <typename List, typename Body>
int for_each_variant(Context& ctx, const List& list, Body body) {
  int ran = 0;
  for (const auto& k : list) {
    if (k.isa == mc::kIsaReference) continue;
    if (!mc::is_supported(k.isa, mc::cpu_isa())) {
      std::printf("    skip %s (ISA not supported here or capped by MOVICORE_MAX_ISA)\n", k.name);
      ++skipped_variants();
      continue;
    }
    ctx.scope = k.name;
    body(k);
    std::printf("    ran  %s\n", k.name);
    ++ran;
  }
  return ran;
}

template <typename List>
const auto& reference_of(const List& list) {
  for (const auto& k : list) {
    if (k.isa == mc::kIsaReference) return k;
  }
  return *list.begin();
}

}  // namespace mc_test
