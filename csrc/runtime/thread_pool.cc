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
// How long an idle worker then keeps polling, yielding its core between polls, before it
// sleeps: covers the gap between two frames fed back to back. A sleeping worker took longer
// to wake than the stem conv lasts (Zen 5 VM, A1 at 2 threads: stem 62-86 us with the worker
// asleep, 24 us with it awake; 47 us on one thread), and yielding, unlike spinning, leaves the
// core to any other runnable thread.
constexpr auto kYieldPoll = std::chrono::microseconds(300);

template <typename Pred>
bool spin_until(Pred pred) {
  const auto start = std::chrono::steady_clock::now();
  for (unsigned i = 0;; ++i) {
    if (pred()) return true;
    MC_CPU_RELAX();
    if ((i & 255) == 255 && std::chrono::steady_clock::now() - start > kSpin) return pred();
  }
}

template <typename Pred>
bool yield_until(Pred pred) {
  const auto start = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - start < kYieldPoll) {
    if (pred()) return true;
    std::this_thread::yield();
  }
  return pred();
}

constexpr uint64_t kField = (1u << 20) - 1;
constexpr uint64_t kGenMask = (1u << 24) - 1;
inline uint64_t slice_gen(uint64_t s) { return s >> 40; }
inline uint64_t slice_end(uint64_t s) { return (s >> 20) & kField; }
inline uint64_t slice_next(uint64_t s) { return s & kField; }

}  // namespace

ThreadPool::ThreadPool(size_t threads) : slices_(new Slice[threads < 1 ? 1 : threads]) {
  for (size_t i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
}

ThreadPool::~ThreadPool() {
  stop_.store(true, std::memory_order_seq_cst);
  { std::lock_guard<std::mutex> lock(mutex_); }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

size_t ThreadPool::run_tasks(uint64_t generation, size_t thread_index) {
  const size_t n = threads();
  size_t ran = 0;
  for (size_t k = 0; k < n; ++k) {  // own slice, then the others' in turn
    std::atomic<uint64_t>& word = slices_[(thread_index + k) % n].word;
    uint64_t s = word.load(std::memory_order_acquire);
    while (slice_gen(s) == generation && slice_next(s) < slice_end(s)) {
      if (word.compare_exchange_weak(s, s + 1, std::memory_order_acq_rel,
                                     std::memory_order_acquire)) {
        (*fn_)(size_t(slice_next(s)), thread_index);
        ++ran;
        s = word.load(std::memory_order_acquire);
      }
    }
  }
  return ran;
}

void ThreadPool::parallel_for(size_t tasks, const std::function<void(size_t, size_t)>& fn) {
  if (tasks == 0) return;
  if (workers_.empty() || tasks == 1 || tasks > kField) {
    for (size_t i = 0; i < tasks; ++i) fn(i, 0);
    return;
  }
  fn_ = &fn;
  const size_t n = threads();
  const uint64_t gen = (generation_.load(std::memory_order_relaxed) + 1) & kGenMask;
  for (size_t t = 0; t < n; ++t) {
    const uint64_t begin = t * tasks / n, end = (t + 1) * tasks / n;
    slices_[t].word.store((gen << 40) | (end << 20) | begin, std::memory_order_release);
  }
  target_ += tasks;
  generation_.store(gen, std::memory_order_seq_cst);
  // Dekker pairing with worker_loop: either we see its sleepers_ increment, or it sees gen.
  if (sleepers_.load(std::memory_order_seq_cst) != 0) {
    { std::lock_guard<std::mutex> lock(mutex_); }
    wake_.notify_all();
  }
  const size_t own = run_tasks(gen, 0);
  if (own != 0) done_.fetch_add(own, std::memory_order_acq_rel);
  // Only claimed tasks are waited for: a worker that never woke costs nothing.
  auto all_done = [&] { return done_.load(std::memory_order_acquire) == target_; };
  while (!spin_until(all_done)) std::this_thread::yield();
  fn_ = nullptr;
}

void ThreadPool::worker_loop(size_t index) {
  // Spin on this worker's own slice word (the job's first cache miss here is the word it needs
  // anyway); sleep on generation_, which the caller stores after every slice.
  const std::atomic<uint64_t>& own = slices_[index].word;
  uint64_t seen = 0;
  for (;;) {
    auto ready = [&] {
      return stop_.load(std::memory_order_relaxed) ||
             slice_gen(own.load(std::memory_order_acquire)) != seen;
    };
    if (!spin_until(ready) && !yield_until(ready)) {
      std::unique_lock<std::mutex> lock(mutex_);
      sleepers_.fetch_add(1, std::memory_order_seq_cst);
      wake_.wait(lock, [&] {
        return stop_.load(std::memory_order_seq_cst) ||
               generation_.load(std::memory_order_seq_cst) != seen;
      });
      sleepers_.fetch_sub(1, std::memory_order_relaxed);
    }
    if (stop_.load(std::memory_order_acquire)) return;
    seen = slice_gen(own.load(std::memory_order_acquire));
    const size_t ran = run_tasks(seen, index);
    if (ran != 0) done_.fetch_add(ran, std::memory_order_acq_rel);
  }
}

}  // namespace mc
