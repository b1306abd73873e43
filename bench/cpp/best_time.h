// Timing helper shared by the C++ micro-benchmarks: best wall time of f() over at least 5 runs
// and `budget` seconds, after one untimed warm-up call.
#pragma once

#include <chrono>

namespace mc_bench {

template <typename F>
double best_seconds(F f, double budget = 0.3) {
  f();
  double best = 1e30, total = 0;
  int iters = 0;
  while (total < budget || iters < 5) {
    const auto t0 = std::chrono::steady_clock::now();
    f();
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    best = s < best ? s : best;
    total += s;
    ++iters;
  }
  return best;
}

}  // namespace mc_bench
