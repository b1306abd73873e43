#pragma once

#include <stdexcept>
#include <string>

#include "base/activation.h"

namespace mc {

inline Act parse_act(const std::string& name) {
  for (size_t i = 0; i < size_t(Act::kCount); ++i) {
    if (name == kActNames[i]) return static_cast<Act>(i);
  }
  throw std::invalid_argument("unknown activation '" + name + "'");
}

}  // namespace mc
