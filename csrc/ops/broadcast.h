// Numpy (multidirectional) broadcasting of two operands, as one loop nest
// shared by Add, Sub, Mul, Div and PRelu.
//
// The planner right-aligns the shapes, drops output axes of extent 1 and
// merges neighbouring axes along which each operand behaves alike (present
// or broadcast on both), so a per-channel [C,1,1] operand against [N,C,H,W]
// becomes a [N*C, H*W] loop whose rows pair a full row with one scalar.
#pragma once
#include <algorithm>
#include <cstdint>

#include "core/shape.h"
#include "core/thread_pool.h"
#include "ops/parallel_for.h"

namespace edgecnn {

struct BroadcastLoop {
  Shape out_shape;
  // The merged iteration space, outermost first; rank >= 1 (a scalar result
  // is one row of one element). Strides are in elements, 0 along axes where
  // the operand is broadcast. Along the last axis they are 0 or 1, and never
  // both 0.
  int rank = 1;
  int64_t dims[kMaxRank] = {1};
  int64_t a_stride[kMaxRank] = {1};
  int64_t b_stride[kMaxRank] = {1};
  int64_t count = 1;
};

// Plans a ⊕ b; returns false when the shapes do not broadcast.
bool plan_broadcast(const Shape& a, const Shape& b, BroadcastLoop& loop);

// y[i] = f(a[i], b[i]) over one row, each operand full (stride 1) or one
// repeated value (stride 0). Separate loops so that each one vectorizes.
template <class F>
inline void broadcast_row(const float* a, int64_t sa, const float* b, int64_t sb, float* y, int64_t n, const F& f) {
  if (sa != 0 && sb != 0) {
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], b[i]);
  } else if (sb == 0) {
    const float bv = *b;
    for (int64_t i = 0; i < n; ++i) y[i] = f(a[i], bv);
  } else {
    const float av = *a;
    for (int64_t i = 0; i < n; ++i) y[i] = f(av, b[i]);
  }
}

// y = f(a, b) over the whole broadcast output; y must not overlap a or b.
template <class F>
void run_broadcast(const BroadcastLoop& loop, const float* a, const float* b, float* y, ThreadPool& pool,
                   const F& f) {
  const int last = loop.rank - 1;
  const int64_t n = loop.dims[last];
  const int64_t sa = loop.a_stride[last], sb = loop.b_stride[last];
  parallel_ranges(pool, loop.count, kMemoryBoundGrain, [&](int64_t begin, int64_t end) {
    for (int64_t pos = begin; pos < end;) {
      const int64_t col = pos % n;
      const int64_t len = std::min(n - col, end - pos);
      int64_t rest = pos / n, ao = col * sa, bo = col * sb;
      for (int d = last - 1; d >= 0; --d) {
        const int64_t i = rest % loop.dims[d];
        rest /= loop.dims[d];
        ao += i * loop.a_stride[d];
        bo += i * loop.b_stride[d];
      }
      broadcast_row(a + ao, sa, b + bo, sb, y + pos, len, f);
      pos += len;
    }
  });
}

}  // namespace edgecnn
