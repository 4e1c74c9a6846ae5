#include "pre/processing_pool.h"

#include <algorithm>
#include <mutex>

#ifndef _WIN32
#include <unistd.h>
#endif

namespace edgecnn {

ThreadPool& processing_pool() {
  static std::mutex mutex;
  // Never deleted: destroying it at exit would join threads during static
  // destruction, and a forked child must not join its parent's threads.
  static ThreadPool* pool = nullptr;
  std::lock_guard<std::mutex> lock(mutex);
#ifndef _WIN32
  static pid_t owner = 0;
  if (pool != nullptr && owner != getpid()) pool = nullptr;
  owner = getpid();
#endif
  if (pool == nullptr) pool = new ThreadPool(std::min(ThreadPool::default_thread_count(), 8));
  return *pool;
}

}  // namespace edgecnn
