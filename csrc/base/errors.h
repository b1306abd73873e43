// Exception types thrown by the core at load/plan/validation time (never inside kernels).
#pragma once

#include <stdexcept>
#include <string>

namespace mc {

// A stream state that does not belong to this model / input size.
class StateError : public std::invalid_argument {
 public:
  using std::invalid_argument::invalid_argument;
};

}  // namespace mc
