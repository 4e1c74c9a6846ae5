#include "post/segment.h"

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/error.h"
#include "ops/parallel_for.h"
#include "pre/linear_taps.h"
#include "pre/processing_pool.h"

namespace edgecnn {

void validate_segment(const SegmentInput& in) {
  if (in.num_classes < 1 || in.grid_h < 1 || in.grid_w < 1)
    throw ArgumentError("segment_map: logits must be (C, h, w) with every size >= 1");
  if (in.input_h < 1 || in.input_w < 1 || in.frame_h < 1 || in.frame_w < 1)
    throw ArgumentError("segment_map: input and frame sizes must be >= 1, got input " + std::to_string(in.input_h) +
                        "x" + std::to_string(in.input_w) + ", frame " + std::to_string(in.frame_h) + "x" +
                        std::to_string(in.frame_w));
  validate_transform(in.transform, "segment_map");
}

namespace {

template <class ClassId>
void segment_rows(const SegmentInput& in, ClassId* map, float* scores, ThreadPool& pool) {
  const int64_t C = in.num_classes, H = in.frame_h, W = in.frame_w, gw = in.grid_w;
  const GridAxis ax = grid_axis(in.transform.scale_x, in.transform.pad_x, W, in.input_w, gw);
  const GridAxis ay = grid_axis(in.transform.scale_y, in.transform.pad_y, H, in.input_h, in.grid_h);
  std::vector<LinearTap> taps_x(static_cast<size_t>(W)), taps_y(static_cast<size_t>(H));
  linear_taps(0, W, ax.step, ax.offset, ax.lo, ax.hi, taps_x.data());
  linear_taps(0, H, ay.step, ay.offset, ay.lo, ay.hi, taps_y.data());
  // Taps only move forward, so the grid columns read are [first i0, last i1].
  const int64_t col_lo = taps_x.front().i0, col_hi = taps_x.back().i1 + 1;
  const int64_t plane = H * W;

  parallel_ranges(pool, H, rows_per_task(pool, H), [&](int64_t y_begin, int64_t y_end) {
    // tmp: one vertically blended grid row; row: one class's logits at frame
    // width (when they are not written to scores); best: the running max.
    std::vector<float> tmp(static_cast<size_t>(col_hi - col_lo)), row(static_cast<size_t>(W)),
        best(static_cast<size_t>(W));
    for (int64_t y = y_begin; y < y_end; ++y) {
      ClassId* ids = map + y * W;
      for (int64_t c = 0; c < C; ++c) {
        float* v = scores != nullptr ? scores + c * plane + y * W : row.data();
        bilinear_row(in.logits + c * in.grid_h * gw, gw, taps_y[y], col_lo, col_hi, taps_x.data(), W, tmp.data(), v);
        if (c == 0) {
          std::copy_n(v, W, best.data());
          std::fill_n(ids, W, ClassId{0});
          continue;
        }
        for (int64_t x = 0; x < W; ++x) {
          if (v[x] > best[x]) {
            best[x] = v[x];
            ids[x] = static_cast<ClassId>(c);
          }
        }
      }
      if (scores == nullptr) continue;
      // Softmax over the classes, the max subtracted for stability; `row`
      // accumulates the denominators.
      std::fill(row.begin(), row.end(), 0.0f);
      for (int64_t c = 0; c < C; ++c) {
        float* v = scores + c * plane + y * W;
        for (int64_t x = 0; x < W; ++x) {
          v[x] = std::exp(v[x] - best[x]);
          row[x] += v[x];
        }
      }
      for (int64_t x = 0; x < W; ++x) row[x] = 1.0f / row[x];
      for (int64_t c = 0; c < C; ++c) {
        float* v = scores + c * plane + y * W;
        for (int64_t x = 0; x < W; ++x) v[x] *= row[x];
      }
    }
  });
}

}  // namespace

void segment_map(const SegmentInput& in, uint8_t* map_u8, int32_t* map_i32, float* scores, ThreadPool& pool) {
  validate_segment(in);
  if (segment_map_is_uint8(in.num_classes))
    segment_rows(in, map_u8, scores, pool);
  else
    segment_rows(in, map_i32, scores, pool);
}

}  // namespace edgecnn
