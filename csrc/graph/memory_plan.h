// Lifetime-based placement of activation buffers in one arena.
#pragma once
#include <cstddef>
#include <cstdint>
#include <vector>

namespace edgecnn {

struct BufferLifetime {
  size_t bytes;
  int64_t first_step;  // the step that writes it (-1: before the first node)
  int64_t last_step;   // the last step that reads it
};

struct MemoryPlan {
  std::vector<size_t> offsets;  // per buffer, multiples of 64
  size_t arena_bytes = 0;
};

// Places each buffer at the lowest 64-byte aligned offset that does not overlap
// a buffer whose lifetime intersects its own, taking the largest buffers first.
// Two buffers used by the same step never share memory.
MemoryPlan plan_memory(const std::vector<BufferLifetime>& buffers);

}  // namespace edgecnn
