#include "ops/broadcast.h"

#include <algorithm>

namespace edgecnn {

bool plan_broadcast(const Shape& a, const Shape& b, BroadcastLoop& loop) {
  const size_t rank = std::max(a.size(), b.size());
  loop = BroadcastLoop{};
  loop.out_shape.assign(rank, 1);
  // Per kept output axis: extent, and whether each operand is broadcast along it.
  int64_t ext[kMaxRank];
  bool a_bc[kMaxRank], b_bc[kMaxRank];
  int kept = 0;
  for (size_t i = 0; i < rank; ++i) {
    const int64_t da = i + a.size() >= rank ? a[i + a.size() - rank] : 1;
    const int64_t db = i + b.size() >= rank ? b[i + b.size() - rank] : 1;
    if (da != db && da != 1 && db != 1) return false;
    const int64_t d = std::max(da, db);
    loop.out_shape[i] = d;
    if (d == 1) continue;
    const bool abc = da == 1, bbc = db == 1;
    if (kept > 0 && a_bc[kept - 1] == abc && b_bc[kept - 1] == bbc) {
      ext[kept - 1] *= d;
    } else {
      ext[kept] = d;
      a_bc[kept] = abc;
      b_bc[kept] = bbc;
      ++kept;
    }
  }
  if (kept == 0) return true;  // every extent is 1: the default single element
  loop.rank = kept;
  int64_t sa = 1, sb = 1;
  loop.count = 1;
  for (int d = kept - 1; d >= 0; --d) {
    loop.dims[d] = ext[d];
    loop.a_stride[d] = a_bc[d] ? 0 : sa;
    loop.b_stride[d] = b_bc[d] ? 0 : sb;
    if (!a_bc[d]) sa *= ext[d];
    if (!b_bc[d]) sb *= ext[d];
    loop.count *= ext[d];
  }
  return true;
}

}  // namespace edgecnn
