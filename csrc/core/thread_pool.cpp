#include "core/thread_pool.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>

#ifdef __linux__
#include <pthread.h>
#include <sched.h>
#endif

namespace edgecnn {

namespace {

// A spin-wait hint: lets the sibling hyperthread run and saves power. Needs no
// ISA flag (SSE2 is baseline on x86-64; yield is baseline on AArch64).
inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}

// Polls done() until it holds or `micros` have passed; returns done(). The
// first microseconds spin on a pause instruction (the hand-off between two
// running threads); after that each poll yields the core: when more threads
// are runnable than there are cores (another process, or more pool threads
// than cores), the thread being waited for may be queued behind this one,
// and a plain spin would hold the core it needs for the whole budget.
template <class Done>
bool spin_until(const Done& done, int64_t micros) {
  if (micros <= 0) return done();
  const auto start = std::chrono::steady_clock::now();
  const auto pause_until = start + std::chrono::microseconds(std::min<int64_t>(micros, 5));
  const auto deadline = start + std::chrono::microseconds(micros);
  for (;;) {
    for (int i = 0; i < 32; ++i) {
      if (done()) return true;
      cpu_relax();
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return done();
    if (now >= pause_until) std::this_thread::yield();
  }
}

}  // namespace

int ThreadPool::default_thread_count() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(std::min(n, 256u));
}

int64_t ThreadPool::spin_micros() {
  static const int64_t micros = [] {
    const char* text = std::getenv("EDGECNN_SPIN_US");
    if (text == nullptr || *text == '\0') return int64_t{50};
    char* end = nullptr;
    const long long value = std::strtoll(text, &end, 10);
    if (*end != '\0' || value < 0) return int64_t{50};  // unparsable: the default
    return static_cast<int64_t>(std::min<long long>(value, 100000));
  }();
  return micros;
}

bool ThreadPool::pinning_enabled() {
  static const bool enabled = [] {
    const char* text = std::getenv("EDGECNN_PIN_THREADS");
    return text == nullptr || std::strcmp(text, "0") != 0;
  }();
  return enabled;
}

ThreadPool::ThreadPool(int num_threads)
    : num_threads_(std::max(1, num_threads)), spin_micros_(spin_micros()), ranges_(static_cast<size_t>(num_threads_)) {
  workers_.reserve(num_threads_ - 1);
  for (int i = 1; i < num_threads_; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  worker_cpus_.assign(workers_.size(), -1);
#ifdef __linux__
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (!workers_.empty() && pinning_enabled() && sched_getaffinity(0, sizeof(mask), &mask) == 0)
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &mask)) allowed_cpus_.push_back(c);
  if (allowed_cpus_.size() < static_cast<size_t>(num_threads_)) allowed_cpus_.clear();
#endif
}

ThreadPool::Session::Session(ThreadPool& pool) : pool_(pool) {
#ifdef __linux__
  if (pool.allowed_cpus_.empty()) return;
  const int here = sched_getcpu();
  const auto& allowed = pool.allowed_cpus_;
  if (here < 0 || std::find(allowed.begin(), allowed.end(), here) == allowed.end()) return;
  cpu_set_t saved, one;
  if (pthread_getaffinity_np(pthread_self(), sizeof(saved), &saved) != 0) return;
  CPU_ZERO(&one);
  CPU_SET(here, &one);
  if (pthread_setaffinity_np(pthread_self(), sizeof(one), &one) != 0) return;
  saved_mask_.assign(reinterpret_cast<unsigned char*>(&saved), reinterpret_cast<unsigned char*>(&saved) + sizeof(saved));
  pinned_ = true;
  // Workers take the allowed cores other than the caller's, in order; they
  // are re-pinned only when the caller has moved onto one of theirs.
  size_t next = 0;
  for (size_t w = 0; w < pool.workers_.size(); ++w) {
    if (allowed[next] == here) ++next;
    const int cpu = allowed[next++];
    if (pool.worker_cpus_[w] == cpu) continue;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    if (pthread_setaffinity_np(pool.workers_[w].native_handle(), sizeof(one), &one) == 0) pool.worker_cpus_[w] = cpu;
  }
#endif
}

ThreadPool::Session::~Session() {
#ifdef __linux__
  if (!pinned_) return;
  cpu_set_t saved;
  std::memcpy(&saved, saved_mask_.data(), sizeof(saved));
  pthread_setaffinity_np(pthread_self(), sizeof(saved), &saved);
#endif
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& w : workers_) w.join();
}

void ThreadPool::drain(int thread_index) {
  for (int v = 0; v < num_threads_; ++v) {
    TaskRange& range = ranges_[static_cast<size_t>((thread_index + v) % num_threads_)];
    for (;;) {
      const int64_t i = range.next.fetch_add(1, std::memory_order_relaxed);
      if (i >= range.end) break;
      try {
        (*task_)(i, thread_index);
      } catch (...) {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!error_) error_ = std::current_exception();
        for (int t = 0; t < num_threads_; ++t)
          ranges_[static_cast<size_t>(t)].next.store(ranges_[static_cast<size_t>(t)].end, std::memory_order_relaxed);
      }
    }
  }
}

void ThreadPool::wake_workers() {
  if (workers_.empty()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ++wake_calls_;
  }
  wake_.notify_all();
}

void ThreadPool::worker_loop(int thread_index) {
  uint64_t seen = 0, wakes_seen = 0;
  for (;;) {
    const auto has_job = [&] { return generation_.load(std::memory_order_acquire) != seen; };
    if (!spin_until(has_job, spin_micros_)) {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || has_job() || wake_calls_ != wakes_seen; });
      if (stopping_) return;
      wakes_seen = wake_calls_;
      if (!has_job()) continue;  // woken ahead of a job: poll for it
    }
    seen = generation_.load(std::memory_order_acquire);
    wakes_seen = wake_calls_.load(std::memory_order_relaxed);
    drain(thread_index);
    if (busy_workers_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
      // Taking the lock orders this notify after run()'s check of busy_workers_
      // under the lock: a caller about to sleep cannot miss it.
      std::lock_guard<std::mutex> lock(mutex_);
      done_.notify_one();
    }
  }
}

void ThreadPool::run(int64_t task_count, const Task& task) {
  if (task_count <= 0) return;
  if (workers_.empty() || task_count == 1) {
    for (int64_t i = 0; i < task_count; ++i) task(i, 0);
    return;
  }
  std::lock_guard<std::mutex> run_lock(run_mutex_);
  task_ = &task;
  for (int t = 0; t < num_threads_; ++t) {
    TaskRange& range = ranges_[static_cast<size_t>(t)];
    range.next.store(task_count * t / num_threads_, std::memory_order_relaxed);
    range.end = task_count * (t + 1) / num_threads_;
  }
  error_ = nullptr;
  busy_workers_.store(static_cast<int>(workers_.size()), std::memory_order_relaxed);
  {
    // Under the lock: a worker that checked generation_ and is about to sleep
    // holds the lock until it waits, so it sees the bump or gets the notify.
    std::lock_guard<std::mutex> lock(mutex_);
    generation_.fetch_add(1, std::memory_order_release);
  }
  wake_.notify_all();
  drain(0);
  const auto workers_done = [&] { return busy_workers_.load(std::memory_order_acquire) == 0; };
  if (!spin_until(workers_done, spin_micros_)) {
    std::unique_lock<std::mutex> lock(mutex_);
    done_.wait(lock, workers_done);
  }
  std::exception_ptr error;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = nullptr;
    error = error_;
    error_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace edgecnn
