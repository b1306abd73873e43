#include "runtime/thread_pool.h"

#include <chrono>

#if defined(__x86_64__) || defined(_M_X64)
#include <immintrin.h>
#define MC_CPU_RELAX() _mm_pause()
#elif defined(__aarch64__)
#define MC_CPU_RELAX() asm volatile("yield" ::: "memory")
#else
#define MC_CPU_RELAX() ((void)0)
#endif

namespace mc {
namespace {

// How long an idle thread spins before it sleeps: covers the gap between two kernel calls of
// one frame, not the gap between frames.
constexpr auto kSpin = std::chrono::microseconds(50);

template <typename Pred>
bool spin_until(Pred pred) {
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 0;; ++i) {
    if (pred()) return true;
    MC_CPU_RELAX();
    if ((i & 255) == 255 && std::chrono::steady_clock::now() - start > kSpin) return pred();
  }
}

}  // namespace

ThreadPool::ThreadPool(size_t threads) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_release);
  { std::lock_guard<std::mutex> lock(mutex_); }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

namespace {
constexpr uint64_t kField = (1u << 20) - 1;
inline uint64_t job_gen(uint64_t j) { return j >> 40; }
inline uint64_t job_tasks(uint64_t j) { return (j >> 20) & kField; }
inline uint64_t job_next(uint64_t j) { return j & kField; }
}  // namespace

void ThreadPool::run_tasks(uint64_t generation, size_t thread_index) {
  uint64_t j = job_.load(std::memory_order_acquire);
  for (;;) {
    if (job_gen(j) != generation || job_next(j) >= job_tasks(j)) return;
    if (job_.compare_exchange_weak(j, j + 1, std::memory_order_acq_rel,
                                   std::memory_order_acquire)) {
      (*fn_)(size_t(job_next(j)), thread_index);
      finished_.fetch_add(1, std::memory_order_acq_rel);
      j = job_.load(std::memory_order_acquire);
    }
  }
}

void ThreadPool::parallel_for(size_t tasks, const std::function<void(size_t, size_t)>& fn) {
  if (tasks == 0) return;
  if (workers_.empty() || tasks == 1 || tasks > kField) {
    for (size_t i = 0; i < tasks; ++i) fn(i, 0);
    return;
  }
  fn_ = &fn;
  finished_.store(0, std::memory_order_relaxed);
  const uint64_t gen = (job_gen(job_.load(std::memory_order_relaxed)) + 1) & 0xFFFFFF;
  job_.store((gen << 40) | (uint64_t(tasks) << 20), std::memory_order_release);
  { std::lock_guard<std::mutex> lock(mutex_); }  // no lost wake-up for sleeping workers
  wake_.notify_all();
  run_tasks(gen, 0);
  // Only tasks that were claimed are waited for: a worker that never woke costs nothing.
  auto all_done = [&] { return finished_.load(std::memory_order_acquire) == tasks; };
  while (!spin_until(all_done)) std::this_thread::yield();
  fn_ = nullptr;
}

void ThreadPool::worker_loop(size_t index) {
  uint64_t seen = 0;
  for (;;) {
    auto ready = [&] {
      return stop_.load(std::memory_order_acquire) ||
             job_gen(job_.load(std::memory_order_acquire)) != seen;
    };
    if (!spin_until(ready)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, ready);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = job_gen(job_.load(std::memory_order_acquire));
    run_tasks(seen, index);
  }
}

}  // namespace mc
