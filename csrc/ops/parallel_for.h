// Chunked parallel loops for the memory-bound operators (element-wise math,
// copies): a tensor is cut into ranges of at least `grain` elements so that
// scheduling cost stays noise, and a small tensor runs inline as one range.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/thread_pool.h"

namespace edgecnn {

// 64K floats (256 KiB) per task: a few tens of microseconds of streaming.
constexpr int64_t kMemoryBoundGrain = int64_t{1} << 16;

// Calls fn(begin, end) for consecutive ranges covering [0, count).
template <class F>
void parallel_ranges(ThreadPool& pool, int64_t count, int64_t grain, const F& fn) {
  const int64_t tasks = (count + grain - 1) / grain;
  if (tasks <= 1) {
    if (count > 0) fn(int64_t{0}, count);
    return;
  }
  pool.run(tasks, [&](int64_t t, int) { fn(t * grain, std::min(count, (t + 1) * grain)); });
}

// Number of units of `unit_elements` each to group per task so that a task
// covers about kMemoryBoundGrain elements (at least one unit).
inline int64_t units_per_task(int64_t unit_elements) {
  return std::max<int64_t>(1, kMemoryBoundGrain / std::max<int64_t>(1, unit_elements));
}

}  // namespace edgecnn
