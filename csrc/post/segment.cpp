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

// The argmax class (ties: lowest id) of every grid cell in rows [row_lo,
// row_hi) x columns [col_lo, col_hi), into cell_class (grid_h x grid_w).
void cell_argmax(const SegmentInput& in, int64_t row_lo, int64_t row_hi, int64_t col_lo, int64_t col_hi,
                 int32_t* cell_class, ThreadPool& pool) {
  const int64_t gw = in.grid_w, plane = in.grid_h * in.grid_w, n = col_hi - col_lo;
  parallel_ranges(pool, row_hi - row_lo, rows_per_task(pool, row_hi - row_lo), [&](int64_t begin, int64_t end) {
    std::vector<float> best(static_cast<size_t>(n));
    for (int64_t gy = row_lo + begin; gy < row_lo + end; ++gy) {
      int32_t* k = cell_class + gy * gw + col_lo;
      std::copy_n(in.logits + gy * gw + col_lo, n, best.data());
      std::fill_n(k, n, 0);
      for (int64_t c = 1; c < in.num_classes; ++c) {
        const float* v = in.logits + c * plane + gy * gw + col_lo;
        for (int64_t x = 0; x < n; ++x) {
          if (v[x] > best[x]) {
            best[x] = v[x];
            k[x] = static_cast<int32_t>(c);
          }
        }
      }
    }
  });
}

// A frame pixel whose four source cells share their argmax class k is of class
// k: bilinear weights are the same for every class and non-negative, and
// float rounding is monotone, so the blend keeps v_k >= v_j. Only the pixels
// on class boundaries need all C samples. (A blend can round a strict corner
// order into an exact tie; such a pixel may then take k over a lower id.)
template <class ClassId>
void segment_rows(const SegmentInput& in, ClassId* map, float* scores, ThreadPool& pool) {
  const int64_t C = in.num_classes, H = in.frame_h, W = in.frame_w, gw = in.grid_w;
  const int64_t grid_plane = in.grid_h * gw, plane = H * W;
  const GridAxis ax = grid_axis(in.transform.scale_x, in.transform.pad_x, W, in.input_w, gw);
  const GridAxis ay = grid_axis(in.transform.scale_y, in.transform.pad_y, H, in.input_h, in.grid_h);
  std::vector<LinearTap> taps_x(static_cast<size_t>(W)), taps_y(static_cast<size_t>(H));
  linear_taps(0, W, ax.step, ax.offset, ax.lo, ax.hi, taps_x.data());
  linear_taps(0, H, ay.step, ay.offset, ay.lo, ay.hi, taps_y.data());
  // Taps only move forward, so the grid cells read are [first i0, last i1].
  const int64_t col_lo = taps_x.front().i0, col_hi = taps_x.back().i1 + 1;
  // Frame columns come in runs sharing their two source columns (about
  // W / grid_w pixels each when the grid is coarser than the frame): a run
  // whose four cells agree is filled at once.
  std::vector<TapRun> runs;
  tap_runs(taps_x.data(), W, &runs);
  std::vector<int32_t> cell_class(static_cast<size_t>(grid_plane));
  cell_argmax(in, taps_y.front().i0, taps_y.back().i1 + 1, col_lo, col_hi, cell_class.data(), pool);

  parallel_ranges(pool, H, rows_per_task(pool, H), [&](int64_t y_begin, int64_t y_end) {
    // tmp: one vertically blended grid row; best: the running max; edge: the
    // columns on a class boundary; vblend: every class's vertically blended
    // grid row (without scores); peak, sum: per-pixel softmax max and
    // denominator.
    std::vector<float> tmp(static_cast<size_t>(col_hi - col_lo)), best(static_cast<size_t>(W)),
        peak(static_cast<size_t>(W)), sum(static_cast<size_t>(W));
    std::vector<int64_t> edge(static_cast<size_t>(W));
    std::vector<float> vblend(scores == nullptr ? static_cast<size_t>(C * (col_hi - col_lo)) : 0);
    for (int64_t y = y_begin; y < y_end; ++y) {
      const LinearTap& ty = taps_y[y];
      ClassId* ids = map + y * W;
      float* row_scores = scores != nullptr ? scores + y * W : nullptr;
      const int32_t* k0 = cell_class.data() + ty.i0 * gw;
      const int32_t* k1 = cell_class.data() + ty.i1 * gw;
      int64_t edges = 0;
      for (const TapRun& run : runs) {
        const int32_t k = k0[run.i0];
        if (k == k0[run.i1] && k == k1[run.i0] && k == k1[run.i1]) {
          std::fill(ids + run.begin, ids + run.end, static_cast<ClassId>(k));
        } else {
          for (int64_t x = run.begin; x < run.end; ++x) edge[edges++] = x;
        }
      }
      if (row_scores != nullptr) {  // every class's row is needed anyway
        for (int64_t c = 0; c < C; ++c) {
          float* v = row_scores + c * plane;
          bilinear_row(in.logits + c * grid_plane, gw, ty, col_lo, col_hi, taps_x.data(), W, tmp.data(), v);
          for (int64_t e = 0; e < edges; ++e) {
            const int64_t x = edge[e];
            if (c == 0 || v[x] > best[x]) {
              best[x] = v[x];
              ids[x] = static_cast<ClassId>(c);
            }
          }
        }
      } else if (edges > 0) {
        // The vertical blend of every class over the grid columns read, once
        // per row; then only the boundary pixels blend horizontally (the
        // operations of bilinear_row, so the same values).
        const int64_t span = col_hi - col_lo;
        for (int64_t c = 0; c < C; ++c) {
          const float* r0 = in.logits + c * grid_plane + ty.i0 * gw;
          const float* r1 = in.logits + c * grid_plane + ty.i1 * gw;
          float* t = vblend.data() + c * span;
          for (int64_t g = col_lo; g < col_hi; ++g) t[g - col_lo] = r0[g] * ty.w0 + r1[g] * ty.w1;
        }
        for (int64_t e = 0; e < edges; ++e) {
          const int64_t x = edge[e];
          const LinearTap& tx = taps_x[x];
          const float* t = vblend.data() - col_lo;
          int64_t best_c = 0;
          float best_v = t[tx.i0] * tx.w0 + t[tx.i1] * tx.w1;
          for (int64_t c = 1; c < C; ++c) {
            t += span;
            const float v = t[tx.i0] * tx.w0 + t[tx.i1] * tx.w1;
            if (v > best_v) {
              best_v = v;
              best_c = c;
            }
          }
          ids[x] = static_cast<ClassId>(best_c);
        }
      }
      if (row_scores == nullptr) continue;
      // Softmax over the classes, less the max (the sample of the pixel's
      // class) for stability.
      for (int64_t x = 0; x < W; ++x) peak[x] = row_scores[static_cast<int64_t>(ids[x]) * plane + x];
      std::fill(sum.begin(), sum.end(), 0.0f);
      for (int64_t c = 0; c < C; ++c) {
        float* v = row_scores + c * plane;
        for (int64_t x = 0; x < W; ++x) {
          v[x] = std::exp(v[x] - peak[x]);
          sum[x] += v[x];
        }
      }
      for (int64_t x = 0; x < W; ++x) sum[x] = 1.0f / sum[x];
      for (int64_t c = 0; c < C; ++c) {
        float* v = row_scores + c * plane;
        for (int64_t x = 0; x < W; ++x) v[x] *= sum[x];
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
