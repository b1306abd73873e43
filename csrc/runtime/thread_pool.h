// A small persistent thread pool: parallel_for(n, fn) runs fn(i) for i < n on the calling
// thread plus (threads - 1) workers, and returns when all are done. One frame issues ~100
// parallel calls of a few microseconds each, so the per-call cost is what matters:
// - each thread owns a contiguous slice of the tasks, claimed from its own cache line (no
//   ping-pong on a shared counter per task); a thread that runs out steals from the others'
//   slices, so a late or preempted thread costs no more than its unclaimed tasks;
// - completions are reported once per thread per call, not once per task;
// - idle workers spin briefly on the generation word, then poll it yielding their core for a
//   frame gap's length, before sleeping (a condition-variable wake-up costs tens of
//   microseconds), and the caller only touches the mutex when a worker actually sleeps. Never
//   allocates after construction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace mc {

class ThreadPool {
 public:
  explicit ThreadPool(size_t threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t threads() const { return workers_.size() + 1; }

  // fn(task, thread_index); thread_index < threads(). Thread t starts on tasks
  // [t * n / threads, (t + 1) * n / threads), so neighbouring tasks (rows) stay on one thread.
  void parallel_for(size_t tasks, const std::function<void(size_t, size_t)>& fn);

 private:
  // One thread's slice of the current job in one word: [generation:24][end:20][next:20].
  // Claiming is a CAS on it, so a thread that wakes late can never claim a task of a newer
  // job by mistake.
  struct alignas(64) Slice {
    std::atomic<uint64_t> word{0};
  };

  void worker_loop(size_t index);
  // Claims and runs tasks of job `generation` (own slice first, then steals); returns how many.
  size_t run_tasks(uint64_t generation, size_t thread_index);

  std::vector<std::thread> workers_;
  std::unique_ptr<Slice[]> slices_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(size_t, size_t)>* fn_ = nullptr;
  alignas(64) std::atomic<uint64_t> generation_{0};
  std::atomic<uint32_t> sleepers_{0};
  alignas(64) std::atomic<uint64_t> done_{0};  // tasks completed, summed over all jobs
  uint64_t target_ = 0;                        // done_ when the current job is complete
  std::atomic<bool> stop_{false};
};

}  // namespace mc
