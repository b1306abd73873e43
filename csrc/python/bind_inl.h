#pragma once

#include "base/arch.h"

namespace mc {
namespace py_bind {

template <typename List>
py::list describe_kernels(const List& list, uint64_t isa) {
  py::list out;
  const auto& chosen = list.pick(isa);
  for (const auto& k : list) {
    py::dict d;
    d["name"] = k.name;
    d["isa"] = k.isa == kIsaReference ? "reference" : isa_name(k.isa);
    d["supported"] = is_supported(k.isa, cpu_isa());
    d["reference"] = k.isa == kIsaReference;
    d["selected"] = &k == &chosen;
    d["tile_m"] = k.tile_m;
    d["tile_n"] = k.tile_n;
    out.append(d);
  }
  return out;
}

// Look up a variant by name for tests; refuses unsupported ISAs instead of crashing (SIGILL).
template <typename List>
const auto& require_kernel(const List& list, const std::string& name) {
  const auto* k = list.find(name.c_str());
  if (k == nullptr) throw std::invalid_argument("unknown kernel '" + name + "'");
  if (!is_supported(k->isa, cpu_isa())) {
    throw std::invalid_argument("kernel '" + name + "' needs an ISA this CPU lacks (or MOVICORE_MAX_ISA caps)");
  }
  return *k;
}

}  // namespace py_bind
}  // namespace mc
