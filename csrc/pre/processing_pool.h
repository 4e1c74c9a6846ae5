// The thread pool of the pre- and post-processing entry points that run
// outside a model (the Python binding): created once, on first use, so no call
// pays for thread creation.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/thread_pool.h"

namespace edgecnn {

// min(ThreadPool::default_thread_count(), 8) threads: the work is
// memory-bound and stops scaling before that. A process forked after the pool
// was made gets a fresh pool (the parent's workers do not exist in a child).
ThreadPool& processing_pool();

// Rows per task of a pass parallel over `rows` image rows (for
// parallel_ranges): about four tasks per thread, so uneven rows (letterbox
// borders, boxes) still balance.
inline int64_t rows_per_task(const ThreadPool& pool, int64_t rows) {
  const int64_t tasks = 4 * static_cast<int64_t>(pool.num_threads());
  return std::max<int64_t>(1, (rows + tasks - 1) / tasks);
}

}  // namespace edgecnn
