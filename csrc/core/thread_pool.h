// A persistent pool of worker threads. The calling thread takes part in every
// job, so a pool of N threads starts N - 1 workers.
//
// A network runs one job per layer, back to back, and waking a sleeping
// thread costs 5-300 us on a virtual machine: more than a small layer takes.
// So after a job, workers poll for the next one for up to spin_micros()
// (a few microseconds on a pause instruction, then yielding the core between
// polls, so a thread that waits never holds a core that the thread it waits
// for needs) before they sleep on a condition variable, and the caller polls
// the same way while it waits for the workers to finish. Between inferences
// the workers sleep: at most spin_micros() of polling per worker after the
// last layer; an inference wakes them first thing (wake_workers), so that
// they come up while it copies its input.
//
// Placement (Linux): when a sleeping worker is woken, the scheduler tends to
// put it on the waking thread's core and spread the two only milliseconds
// later; with an idle gap before every inference (a video stream, a
// benchmark's pauses) that made a 2-thread inference slower than a 1-thread
// one. A Session pins the caller to the core it is on and each worker to
// another allowed core for the length of one inference (the caller's own
// affinity is restored at the end), the way OpenVINO pins its threads.
// EDGECNN_PIN_THREADS=0 turns this off.
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

  // Wakes sleeping workers without a job: they poll for the next one for
  // spin_micros() again. A caller about to post work after a pause (the
  // start of an inference) calls it first, so that the workers' wake-up
  // latency passes while it prepares (copies the input) rather than at the
  // start of the first job.
  void wake_workers();

  static int default_thread_count();
  // Whether sessions pin threads: EDGECNN_PIN_THREADS (default 1), read once.
  static bool pinning_enabled();

  // Pins for its lifetime (see the top of the file); does nothing when the
  // pool has no workers, pinning is off, or the allowed cores are fewer
  // than the threads. Open one per inference, on the calling thread.
  class Session {
   public:
    explicit Session(ThreadPool& pool);
    ~Session();
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

   private:
    ThreadPool& pool_;
    bool pinned_ = false;
    std::vector<unsigned char> saved_mask_;  // the caller's affinity (a cpu_set_t's bytes)
  };
  // How long a thread spins waiting before it sleeps: 50 us, or the
  // environment variable EDGECNN_SPIN_US (0 .. 100000; 0: sleep at once),
  // read once per process.
  static int64_t spin_micros();

 private:
  void worker_loop(int thread_index);
  void drain(int thread_index);

  int num_threads_;
  int64_t spin_micros_;
  std::vector<std::thread> workers_;
  std::vector<int> allowed_cpus_;  // the process's cores at construction (empty: never pin)
  std::vector<int> worker_cpus_;   // each worker's pinned core (-1: not pinned)
  std::mutex run_mutex_;  // one job at a time
  // mutex_ guards the sleeping side: stopping_, error_, and the waits on
  // wake_ (a new generation_) and done_ (busy_workers_ reaching 0).
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  // Thread t first takes the tasks of ranges_[t], the t-th of num_threads
  // contiguous slices of [0, task_count), then claims what is left of the
  // others'. With equal slices, thread t works on the same part of every
  // layer's tensors (the same rows, tiles or channels), so the next layer
  // mostly reads what this core wrote; a first-come split interleaves the
  // tasks, and about half of every input then crosses between cores
  // (between chiplets on a large CPU or a VM's host). A slow thread's tasks
  // are still taken over.
  struct alignas(64) TaskRange {
    std::atomic<int64_t> next{0};  // the next unclaimed task (may run past end)
    int64_t end = 0;
  };
  // The job: written by run() before generation_ is bumped (release), read by
  // workers after they see the new generation (acquire).
  const Task* task_ = nullptr;
  std::vector<TaskRange> ranges_;
  std::atomic<int> busy_workers_{0};
  std::atomic<uint64_t> generation_{0};
  // wake_workers() calls: changed under mutex_ (the waits' predicate reads
  // it there); a worker taking a job reads it too, so that a wake-up meant
  // for that job does not keep it polling after it.
  std::atomic<uint64_t> wake_calls_{0};
  bool stopping_ = false;
  std::exception_ptr error_;
};

}  // namespace edgecnn
