#include "graph/memory_plan.h"

#include <algorithm>
#include <numeric>

#include "core/aligned_buffer.h"

namespace edgecnn {

MemoryPlan plan_memory(const std::vector<BufferLifetime>& buffers) {
  MemoryPlan plan;
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].bytes > buffers[b].bytes; });
  struct Placed {
    size_t begin, end;
    int64_t first, last;
  };
  std::vector<Placed> placed;
  placed.reserve(buffers.size());
  std::vector<std::pair<size_t, size_t>> busy;
  for (size_t idx : order) {
    const BufferLifetime& b = buffers[idx];
    const size_t bytes = round_up(std::max<size_t>(b.bytes, 1), AlignedBuffer::kAlignment);
    busy.clear();
    for (const Placed& p : placed)
      if (p.first <= b.last_step && b.first_step <= p.last) busy.emplace_back(p.begin, p.end);
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& r : busy) {
      if (offset + bytes <= r.first) break;
      offset = std::max(offset, r.second);
    }
    plan.offsets[idx] = offset;
    placed.push_back({offset, offset + bytes, b.first_step, b.last_step});
    plan.arena_bytes = std::max(plan.arena_bytes, offset + bytes);
  }
  return plan;
}

}  // namespace edgecnn
