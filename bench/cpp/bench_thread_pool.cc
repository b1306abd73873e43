// Cost of one ThreadPool::parallel_for call as the engine issues them: a frame makes ~100
// calls of a few microseconds each, so the per-call synchronisation decides the 2-thread
// speed-up. Prints, per thread count: the time of a call with empty tasks, and the efficiency
// (serial time / (threads x parallel time)) of calls that split W microseconds of arithmetic
// into tasks, with 2 us of serial work between calls (as between two ops of a frame).
// Usage: bench_thread_pool [threads=2] [budget_s=0.3]; best-of timings.
#include <cstdio>
#include <cstdlib>

#include "runtime/thread_pool.h"
#include "best_time.h"

namespace {

// About n ns of dependent arithmetic that the compiler cannot drop.
float busy(size_t n, float x) {
  for (size_t i = 0; i < n; ++i) x = x * 0.999999f + 1e-7f;
  return x;
}

volatile float g_sink;
volatile float g_task_sink[256 * 16];  // one cache line per thread

}  // namespace

int main(int argc, char** argv) {
  const size_t threads = argc > 1 ? size_t(std::atoi(argv[1])) : 2;
  const double budget = argc > 2 ? std::atof(argv[2]) : 0.3;
  mc::ThreadPool pool(threads);
  constexpr int kCalls = 100;  // one "frame"
  // Calibrate: iterations of busy() per microsecond.
  const double s = mc_bench::best_seconds([] { g_sink = busy(1 << 20, g_sink); }, budget);
  const double per_us = (1 << 20) / (s * 1e6);
  const size_t gap = size_t(2 * per_us);
  const double empty = mc_bench::best_seconds([&] {
    for (int c = 0; c < kCalls; ++c) {
      pool.parallel_for(threads * 4, [](size_t, size_t) {});
      g_sink = busy(gap, g_sink);
    }
  }, budget);
  const double serial_gap = mc_bench::best_seconds([&] {
    for (int c = 0; c < kCalls; ++c) g_sink = busy(gap, g_sink);
  }, budget);
  std::printf("threads %zu: empty parallel_for of %zu tasks: %.2f us per call\n", threads,
              threads * 4, (empty - serial_gap) / kCalls * 1e6);
  for (double work_us : {2.0, 5.0, 10.0, 20.0, 50.0}) {
    const size_t tasks = threads * 4, per_task = size_t(work_us * per_us / double(tasks));
    const double par = mc_bench::best_seconds([&] {
      for (int c = 0; c < kCalls; ++c) {
        pool.parallel_for(tasks, [&](size_t, size_t t) { g_task_sink[t * 16] = busy(per_task, 0.f); });
        g_sink = busy(gap, g_sink);
      }
    }, budget);
    const double op = (par - serial_gap) / kCalls * 1e6;
    std::printf("  op of %5.1f us in %zu tasks: %6.2f us per call, efficiency %5.1f %%\n",
                work_us, tasks, op, 100.0 * work_us / (double(threads) * op));
  }
  return 0;
}
