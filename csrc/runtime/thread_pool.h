// A small persistent thread pool: parallel_for(n, fn) runs fn(i) for i < n on the calling
// thread plus (threads - 1) workers, and returns when all are done. Used to split one kernel
// call (rows / pixel ranges) across cores; never allocates after construction.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
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
  void run_tasks(size_t thread_index);

  std::vector<std::thread> workers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const std::function<void(size_t, size_t)>* fn_ = nullptr;
  size_t tasks_ = 0;
  std::atomic<size_t> next_{0};
  std::atomic<size_t> active_{0};
  uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace mc
