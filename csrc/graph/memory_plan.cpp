#include "graph/memory_plan.h"

#include <algorithm>
#include <cstdint>
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
  // Placed buffers in blocks by first step, each block with the latest last
  // step of its members: a search skips the blocks none of whose buffers can
  // be alive, so a long chain of short-lived buffers plans in near-linear time
  // instead of scanning every placed buffer (quadratic: minutes at the
  // format's million nodes).
  constexpr int64_t kBlockSteps = 256;
  struct Block {
    std::vector<Placed> members;
    int64_t max_last = INT64_MIN;
  };
  int64_t min_step = 0, max_step = 0;
  for (const BufferLifetime& b : buffers) {
    min_step = std::min(min_step, b.first_step);
    max_step = std::max(max_step, b.first_step);
  }
  std::vector<Block> blocks(static_cast<size_t>((max_step - min_step) / kBlockSteps + 1));
  std::vector<std::pair<size_t, size_t>> busy;
  for (size_t idx : order) {
    const BufferLifetime& b = buffers[idx];
    const size_t bytes = round_up(std::max<size_t>(b.bytes, 1), AlignedBuffer::kAlignment);
    busy.clear();
    // Only blocks whose first steps are <= b.last_step can hold a buffer alive with b.
    const int64_t last_block = std::min<int64_t>(static_cast<int64_t>(blocks.size()) - 1,
                                                 b.last_step < min_step ? -1 : (b.last_step - min_step) / kBlockSteps);
    for (int64_t k = 0; k <= last_block; ++k) {
      const Block& block = blocks[static_cast<size_t>(k)];
      if (block.max_last < b.first_step) continue;
      for (const Placed& p : block.members)
        if (p.first <= b.last_step && b.first_step <= p.last) busy.emplace_back(p.begin, p.end);
    }
    std::sort(busy.begin(), busy.end());
    size_t offset = 0;
    for (const auto& r : busy) {
      if (offset + bytes <= r.first) break;
      offset = std::max(offset, r.second);
    }
    plan.offsets[idx] = offset;
    Block& home = blocks[static_cast<size_t>((b.first_step - min_step) / kBlockSteps)];
    home.members.push_back({offset, offset + bytes, b.first_step, b.last_step});
    home.max_last = std::max(home.max_last, b.last_step);
    plan.arena_bytes = std::max(plan.arena_bytes, offset + bytes);
  }
  return plan;
}

}  // namespace edgecnn
