// A tensor cut along one axis into parts, shared by Concat (parts -> whole)
// and Split (whole -> parts).
//
// Seen as [outer, row]: each row of the whole is the concatenation of the
// matching rows of the parts, part i's row being offset[i+1] - offset[i]
// floats (its extent along the axis times the extent of the later axes).
#pragma once
#include <cstdint>
#include <vector>

#include "core/shape.h"
#include "core/thread_pool.h"

namespace edgecnn {

struct AxisParts {
  int64_t outer = 1;
  std::vector<int64_t> offset;  // parts + 1 prefix sums; offset.back() is the row length

  // Parts of the given shapes along `axis` (already normalized); they must
  // match `whole` on every other axis and sum to it along `axis`, else
  // FormatError naming the mismatch.
  static AxisParts plan(const Shape& whole, const std::vector<Shape>& parts, int axis);
};

// whole[r][offset[i] + j] = part_i[r][j]
void gather_parts(const AxisParts& p, const float* const* parts, float* whole, ThreadPool& pool);
// part_i[r][j] = whole[r][offset[i] + j]
void scatter_parts(const AxisParts& p, const float* whole, float* const* parts, ThreadPool& pool);

}  // namespace edgecnn
