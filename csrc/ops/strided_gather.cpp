#include "ops/strided_gather.h"

#include <algorithm>
#include <cstring>

#include "ops/parallel_for.h"

namespace edgecnn {

void StridedGather::plan(const Shape& out, const std::vector<int64_t>& strides, int64_t base) {
  base_ = base;
  rank_ = 0;
  for (size_t d = 0; d < out.size(); ++d) {
    if (out[d] == 1) continue;
    if (rank_ > 0 && strides_[rank_ - 1] == strides[d] * out[d]) {
      dims_[rank_ - 1] *= out[d];
      strides_[rank_ - 1] = strides[d];
    } else {
      dims_[rank_] = out[d];
      strides_[rank_] = strides[d];
      ++rank_;
    }
  }
  if (rank_ == 0) {  // a single element
    rank_ = 1;
    dims_[0] = 1;
    strides_[0] = 1;
  }
  count_ = 1;
  for (int d = rank_ - 1; d >= 0; --d) {
    out_strides_[d] = count_;
    count_ *= dims_[d];
  }
  tile_axis_ = -1;
  if (strides_[rank_ - 1] != 1)
    for (int d = 0; d < rank_ - 1; ++d)
      if (strides_[d] == 1) tile_axis_ = d;
}

void StridedGather::run(const float* x, float* y, ThreadPool& pool) const {
  if (tile_axis_ >= 0) {
    run_tiles(x, y, pool);
  } else {
    run_rows(x, y, pool);
  }
}

void StridedGather::run_rows(const float* x, float* y, ThreadPool& pool) const {
  const int last = rank_ - 1;
  const int64_t n = dims_[last], step = strides_[last];
  parallel_ranges(pool, count_, kMemoryBoundGrain, [&](int64_t begin, int64_t end) {
    for (int64_t pos = begin; pos < end;) {
      const int64_t col = pos % n;
      const int64_t len = std::min(n - col, end - pos);
      int64_t rest = pos / n, offset = base_ + col * step;
      for (int d = last - 1; d >= 0; --d) {
        offset += (rest % dims_[d]) * strides_[d];
        rest /= dims_[d];
      }
      const float* src = x + offset;
      float* dst = y + pos;
      if (step == 1) {
        std::memcpy(dst, src, static_cast<size_t>(len) * sizeof(float));
      } else {
        for (int64_t i = 0; i < len; ++i) dst[i] = src[i * step];
      }
      pos += len;
    }
  });
}

// Units: (index over the axes other than the tile axis and the last, strip of
// kTile positions along the tile axis); each unit copies its strip for every
// position along the last axis, kTile x kTile at a time.
void StridedGather::run_tiles(const float* x, float* y, ThreadPool& pool) const {
  const int last = rank_ - 1, t = tile_axis_;
  const int64_t rows = dims_[t], cols = dims_[last];
  const int64_t col_step = strides_[last], row_out = out_strides_[t];
  const int64_t strips = (rows + kTile - 1) / kTile;
  const int64_t outer = count_ / (rows * cols);
  parallel_ranges(pool, outer * strips, units_per_task(kTile * cols), [&](int64_t begin, int64_t end) {
    for (int64_t u = begin; u < end; ++u) {
      const int64_t r0 = (u % strips) * kTile;
      const int64_t nr = std::min(kTile, rows - r0);
      int64_t in = base_ + r0, out = r0 * row_out;
      for (int64_t d = last - 1, rest = u / strips; d >= 0; --d) {
        if (d == t) continue;
        const int64_t i = rest % dims_[d];
        rest /= dims_[d];
        in += i * strides_[d];
        out += i * out_strides_[d];
      }
      for (int64_t c0 = 0; c0 < cols; c0 += kTile) {
        const int64_t nc = std::min(kTile, cols - c0);
        for (int64_t r = 0; r < nr; ++r) {
          const float* src = x + in + r + c0 * col_step;
          float* dst = y + out + r * row_out + c0;
          for (int64_t c = 0; c < nc; ++c) dst[c] = src[c * col_step];
        }
      }
    }
  });
}

}  // namespace edgecnn
