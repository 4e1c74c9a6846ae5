// A persistent pool of worker threads. The calling thread takes part in every
// job, so a pool of N threads starts N - 1 workers. Idle workers sleep on a
// condition variable: no CPU is burned between inferences.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace edgecnn {

class ThreadPool {
 public:
  // Runs task(task_index, thread_index) for every task_index in [0, task_count);
  // thread_index is in [0, num_threads()) and unique among concurrently running
  // tasks, so it can select per-thread scratch memory.
  using Task = std::function<void(int64_t task_index, int thread_index)>;

  explicit ThreadPool(int num_threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int num_threads() const { return num_threads_; }
  void run(int64_t task_count, const Task& task);

  static int default_thread_count();

 private:
  void worker_loop(int thread_index);
  void drain(int thread_index);

  int num_threads_;
  std::vector<std::thread> workers_;
  std::mutex run_mutex_;  // one job at a time
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  const Task* task_ = nullptr;
  int64_t task_count_ = 0;
  std::atomic<int64_t> next_task_{0};
  int busy_workers_ = 0;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace edgecnn
