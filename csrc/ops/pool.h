// Geometry and the sliding-window loop shared by MaxPool and AveragePool over
// the two spatial axes of an NCHW tensor, with the output extent of ceil_mode.
//
// The loop works one output row at a time: the row starts at an initial value
// and every valid kernel tap (ky, kx) folds one strided run of an input row
// into it. The valid runs are known at prepare, so the kernels never test
// bounds, and with stride 1 each run is a contiguous, vectorizable loop.
#pragma once
#include <algorithm>
#include <cstdint>
#include <vector>

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
  std::vector<PoolTaps> cols;  // one per output column
  std::vector<PoolSpan> spans;  // one per kernel column

  // Checks one 4-D input and one output, reads kernel_shape, strides, pads,
  // dilations (when allowed) and ceil_mode, and sets ctx.output_shapes.
  // Pads must be smaller than the kernel, as onnxruntime requires.
  void prepare(PrepareContext& ctx, bool allow_dilations);

  // One plane: y[oy][ox] = fold over the valid taps of fold(acc, x[iy][ix]),
  // starting from `init`. x is in_h x in_w, y out_h x out_w, row-major.
  template <class Fold>
  void run_plane(const float* x, float* y, float init, Fold fold) const {
    for (const PoolTaps& r : rows) {
      std::fill(y, y + out_w, init);
      for (int64_t ky = r.begin; ky < r.end; ++ky) {
        const float* row = x + (r.origin + ky * win.dh) * in_w;
        for (int64_t kx = 0; kx < win.kw; ++kx) {
          const PoolSpan& s = spans[static_cast<size_t>(kx)];
          if (s.begin >= s.end) continue;
          const float* src = row + s.begin * win.sw - win.pad_left + kx * win.dw;
          float* dst = y + s.begin;
          const int64_t n = s.end - s.begin;
          if (win.sw == 1) {
            for (int64_t i = 0; i < n; ++i) dst[i] = fold(dst[i], src[i]);
          } else {
            for (int64_t i = 0; i < n; ++i) dst[i] = fold(dst[i], src[i * win.sw]);
          }
        }
      }
      y += out_w;
    }
  }
};

}  // namespace edgecnn
