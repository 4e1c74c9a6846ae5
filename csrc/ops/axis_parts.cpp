#include "ops/axis_parts.h"

#include <cstring>

#include "core/error.h"
#include "ops/parallel_for.h"

namespace edgecnn {

AxisParts AxisParts::plan(const Shape& whole, const std::vector<Shape>& parts, int axis) {
  AxisParts p;
  // Bounds first: the offsets below are products of these dims.
  if (num_elements(whole) > kMaxElements)
    throw FormatError("the whole " + shape_str(whole) + " would have more than 2^31 - 1 elements");
  int64_t inner = 1;
  for (size_t d = 0; d < whole.size(); ++d) {
    if (static_cast<int>(d) < axis) p.outer *= whole[d];
    if (static_cast<int>(d) > axis) inner *= whole[d];
  }
  p.offset.push_back(0);
  int64_t along = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Shape& s = parts[i];
    bool match = s.size() == whole.size();
    for (size_t d = 0; match && d < s.size(); ++d) match = static_cast<int>(d) == axis || s[d] == whole[d];
    if (!match)
      throw FormatError("part " + std::to_string(i) + " " + shape_str(s) + " does not match " + shape_str(whole) +
                        " outside axis " + std::to_string(axis));
    if (s[axis] < 0 || s[axis] > whole[axis] - along)
      throw FormatError("the parts exceed the whole's " + std::to_string(whole[axis]) + " along axis " +
                        std::to_string(axis));
    along += s[axis];
    p.offset.push_back(along * inner);
  }
  if (along != whole[axis])
    throw FormatError("the parts sum to " + std::to_string(along) + " along axis " + std::to_string(axis) +
                      ", the whole has " + std::to_string(whole[axis]));
  return p;
}

namespace {

// Copies the whole's flat range [begin, end) to or from the parts, one
// contiguous run per (row, part).
template <bool kGather>
void copy_range(const AxisParts& p, const float* const* in_parts, float* const* out_parts, const float* in_whole,
                float* out_whole, int64_t begin, int64_t end) {
  const int64_t row = p.offset.back();
  size_t i = 0;
  for (int64_t pos = begin; pos < end;) {
    const int64_t r = pos / row, at = pos % row;
    if (at < p.offset[i]) i = 0;
    while (p.offset[i + 1] <= at) ++i;
    const int64_t len = std::min(p.offset[i + 1] - at, end - pos);
    const int64_t part_pos = r * (p.offset[i + 1] - p.offset[i]) + (at - p.offset[i]);
    if (kGather) {
      std::memcpy(out_whole + pos, in_parts[i] + part_pos, static_cast<size_t>(len) * sizeof(float));
    } else {
      std::memcpy(out_parts[i] + part_pos, in_whole + pos, static_cast<size_t>(len) * sizeof(float));
    }
    pos += len;
  }
}

}  // namespace

void gather_parts(const AxisParts& p, const float* const* parts, float* whole, ThreadPool& pool) {
  parallel_ranges(pool, p.outer * p.offset.back(), kMemoryBoundGrain, [&](int64_t begin, int64_t end) {
    copy_range<true>(p, parts, nullptr, nullptr, whole, begin, end);
  });
}

void scatter_parts(const AxisParts& p, const float* whole, float* const* parts, ThreadPool& pool) {
  parallel_ranges(pool, p.outer * p.offset.back(), kMemoryBoundGrain, [&](int64_t begin, int64_t end) {
    copy_range<false>(p, nullptr, parts, whole, nullptr, begin, end);
  });
}

}  // namespace edgecnn
