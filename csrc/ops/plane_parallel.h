// Parallel loops over the independent N x C planes of an NCHW tensor, shared by
// the pooling, Resize and GlobalAveragePool operators.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/thread_pool.h"

namespace edgecnn {

// Work (roughly: inner-loop iterations) below which a job runs on the calling
// thread, and the least work per task: waking workers costs microseconds.
constexpr int64_t kMinParallelWork = int64_t{1} << 15;

// Calls fn(plane) for every plane in [0, planes); work_per_plane estimates
// the cost of one call. Small jobs stay on the calling thread; large ones go
// to the pool in tasks of consecutive planes.
template <class Fn>
void for_each_plane(ThreadPool& pool, int64_t planes, int64_t work_per_plane, const Fn& fn) {
  const int64_t work = std::max<int64_t>(1, work_per_plane);
  if (pool.num_threads() == 1 || planes * work < kMinParallelWork) {
    for (int64_t p = 0; p < planes; ++p) fn(p);
    return;
  }
  const int64_t per_task = std::max<int64_t>(1, kMinParallelWork / work);
  const int64_t tasks = (planes + per_task - 1) / per_task;
  pool.run(tasks, [&](int64_t t, int) {
    const int64_t end = std::min(planes, (t + 1) * per_task);
    for (int64_t p = t * per_task; p < end; ++p) fn(p);
  });
}

}  // namespace edgecnn
