// A small persistent thread pool: parallel_for(n, fn) runs fn(i) for i < n on the calling
// thread plus (threads - 1) workers, and returns when all are done. One frame issues hundreds
// of short parallel calls, so idle workers spin briefly on the job counter before sleeping
// (a condition-variable wake-up costs tens of microseconds). Never allocates after construction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
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

  // fn(task, thread_index); thread_index < threads(). Tasks are claimed dynamically.
  void parallel_for(size_t tasks, const std::function<void(size_t, size_t)>& fn);

 private:
  void worker_loop(size_t index);
  void run_tasks(uint64_t generation, size_t thread_index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  const std::function<void(size_t, size_t)>* fn_ = nullptr;
  // The current job in one word: [generation:24][tasks:20][next task:20]. Claiming a task is a
  // CAS on it, so a worker that wakes late can never claim a task of a newer job by mistake.
  std::atomic<uint64_t> job_{0};
  std::atomic<size_t> finished_{0};
  std::atomic<bool> stop_{false};
};

}  // namespace mc
