// Geometry and the sliding-window loop shared by MaxPool and AveragePool over
// the two spatial axes of an NCHW tensor, with the output extent of ceil_mode.
//
// Both reductions (max, sum) are separable, so one output row is computed in
// two passes: the valid kernel rows fold into one input-width row (kh
// contiguous runs), then the valid kernel columns fold that row into the
// output row (kw runs: contiguous with stride 1, and with stride 2 over the
// row split into even and odd columns; strided otherwise). The valid taps
// are known at prepare: the kernels never test bounds. Contiguous runs fold
// through the fold kernel (kernels/pool_fold.h): a window's rows in one call,
// and with stride 1 the interior columns' taps in one call; the few edge
// columns, and strides above 2, fold tap by tap with the op's scalar `fold`.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

#include "core/aligned_buffer.h"
#include "kernels/im2col.h"
#include "kernels/pool_fold.h"
#include "ops/parallel_for.h"
#include "ops/window.h"

namespace edgecnn {

// Along one axis, for one output index: the kernel taps t in [begin, end)
// whose input index origin + t * dilation lies in [0, in); `origin` is the
// (possibly negative) input index of tap 0.
struct PoolTaps {
  int64_t origin = 0;
  int64_t begin = 0;
  int64_t end = 0;
};

// For one kernel column kx: the output columns [begin, end) whose input
// column ox * stride - pad_left + kx * dilation lies inside the input.
struct PoolSpan {
  int64_t begin = 0;
  int64_t end = 0;
};

struct Pool2dGeometry {
  Window2d win;
  int64_t planes = 0;  // N * C
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  std::vector<PoolTaps> rows;  // one per output row
  std::vector<PoolTaps> cols;  // one per output column (AveragePool divisors)
  std::vector<PoolSpan> spans;  // one per kernel column
  // Stride 2 across: the folded row is split into its even and odd columns
  // (two rows of `half` floats, the im2col family's phase-row kernel), so
  // that every kernel column folds a contiguous run instead of a strided one.
  F32PhaseRowFn split_columns = nullptr;
  int64_t half = 0;
  // Stride 1 across: the output columns whose kw taps all lie inside the
  // input row, [interior_begin, interior_end) (may be empty).
  int64_t interior_begin = 0, interior_end = 0;
  // Output columns whose windows hold no input column (dilated windows).
  std::vector<int64_t> empty_columns;
  // The op's fold over contiguous runs (set by the op after prepare); the
  // scalar `fold` of run_plane must agree with it, NaN included.
  F32PoolFoldUkernel fold_rows = nullptr;

  // Checks one 4-D input and one output, reads kernel_shape, strides, pads,
  // dilations (when allowed) and ceil_mode, and sets ctx.output_shapes.
  // Pads must be smaller than the kernel, as onnxruntime requires.
  void prepare(PrepareContext& ctx, bool allow_dilations);

  // One plane: y[oy][ox] = fold, over the window's valid taps, of x[iy][ix]
  // (`identity` is fold's neutral value: fold(identity, v) == v), or `empty`
  // for a window of padding only. x is in_h x in_w, y out_h x out_w,
  // row-major; `folded` holds row_floats() floats.
  template <class Fold>
  void run_plane(const float* x, float* y, float identity, float empty, Fold fold, float* folded) const {
    float* phases = folded + round_up(static_cast<size_t>(in_w), 16);  // even columns, then odd ones
    for (const PoolTaps& r : rows) {
      if (r.begin >= r.end) {  // no input row in these windows
        std::fill(y, y + out_w, empty);
        y += out_w;
        continue;
      }
      fold_rows(x + (r.origin + r.begin * win.dh) * in_w, static_cast<size_t>(win.dh * in_w),
                static_cast<size_t>(r.end - r.begin), folded, static_cast<size_t>(in_w), 0);
      if (split_columns == nullptr && win.sw == 1 && interior_begin < interior_end) {
        // Columns whose every tap is inside: all kw taps in one call.
        fold_rows(folded + interior_begin - win.pad_left, static_cast<size_t>(win.dw), static_cast<size_t>(win.kw),
                  y + interior_begin, static_cast<size_t>(interior_end - interior_begin), 0);
        fold_columns(folded, y, 0, interior_begin, identity, fold);
        fold_columns(folded, y, interior_end, out_w, identity, fold);
      } else if (split_columns != nullptr) {
        std::fill(y, y + out_w, identity);
        split_columns(folded, in_w, 0, 2, half, half, phases);
        for (int64_t kx = 0; kx < win.kw; ++kx) {
          const PoolSpan& s = spans[static_cast<size_t>(kx)];
          if (s.begin >= s.end) continue;
          // Input column 2*ox + q lives in phase q & 1, at ox + (q - (q & 1)) / 2.
          const int64_t q = kx * win.dw - win.pad_left, phase = q & 1;
          fold_rows(phases + phase * half + s.begin + (q - phase) / 2, 0, 1, y + s.begin,
                    static_cast<size_t>(s.end - s.begin), 1);
        }
      } else {
        fold_columns(folded, y, 0, out_w, identity, fold);
      }
      for (const int64_t ox : empty_columns) y[ox] = empty;
      y += out_w;
    }
  }

  // Output columns [c0, c1) of one row from the folded input row, tap by
  // tap with the scalar `fold` (the edges of a stride-1 row, any stride > 2).
  template <class Fold>
  void fold_columns(const float* folded, float* y, int64_t c0, int64_t c1, float identity, Fold fold) const {
    if (c0 >= c1) return;
    std::fill(y + c0, y + c1, identity);
    for (int64_t kx = 0; kx < win.kw; ++kx) {
      const PoolSpan& s = spans[static_cast<size_t>(kx)];
      const int64_t begin = std::max(s.begin, c0), end = std::min(s.end, c1), offset = kx * win.dw - win.pad_left;
      for (int64_t ox = begin; ox < end; ++ox) y[ox] = fold(y[ox], folded[ox * win.sw + offset]);
    }
  }

  // Floats of run_plane's `folded`: the folded row, then its two column
  // phases when split.
  size_t row_floats() const {
    return round_up(static_cast<size_t>(in_w), 16) + (split_columns ? 2 * static_cast<size_t>(half) : 0);
  }

  // Scratch bytes of run(): one row_floats() buffer per thread.
  size_t scratch_bytes(int num_threads) const {
    return static_cast<size_t>(num_threads) * round_up(row_floats() * sizeof(float), 64);
  }

  // run_plane over every plane, in parallel when the job is large enough,
  // then finish(plane index, output plane).
  template <class Fold, class Finish>
  void run(const RunContext& ctx, float identity, float empty, Fold fold, Finish finish) const {
    const int64_t per_task = units_per_task(out_h * (in_w * win.kh + out_w * win.kw));
    const int64_t tasks = (planes + per_task - 1) / per_task;
    const size_t stride = round_up(row_floats() * sizeof(float), 64) / sizeof(float);
    const float* x = ctx.inputs[0];
    float* y = ctx.outputs[0];
    ctx.pool.run(tasks, [&](int64_t t, int thread) {
      float* folded = ctx.scratch + static_cast<size_t>(thread) * stride;
      const int64_t end = std::min(planes, (t + 1) * per_task);
      for (int64_t p = t * per_task; p < end; ++p) {
        run_plane(x + p * in_h * in_w, y + p * out_h * out_w, identity, empty, fold, folded);
        finish(y + p * out_h * out_w);
      }
    });
  }
};

}  // namespace edgecnn
