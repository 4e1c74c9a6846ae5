// Geometry shared by MaxPool and AveragePool: the window over the two spatial
// axes of an NCHW tensor, the output extent (with ceil_mode), and for every
// output row and column the kernel taps that land inside the input, so the
// kernels loop over valid taps only and never test bounds.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/window.h"

namespace edgecnn {

// Kernel taps t in [begin, end) of one output position: input index
// origin + t * dilation lies in [0, in). `origin` is the (possibly negative)
// input index of tap 0.
struct PoolTaps {
  int64_t origin = 0;
  int64_t begin = 0;
  int64_t end = 0;
};

struct Pool2dGeometry {
  Window2d win;
  int64_t planes = 0;  // N * C
  int64_t in_h = 0, in_w = 0, out_h = 0, out_w = 0;
  std::vector<PoolTaps> rows;  // one per output row
  std::vector<PoolTaps> cols;  // one per output column

  // Checks one 4-D input and one output, reads kernel_shape, strides, pads,
  // dilations (when allowed) and ceil_mode, and sets ctx.output_shapes.
  // Pads must be smaller than the kernel, as onnxruntime requires.
  void prepare(PrepareContext& ctx, bool allow_dilations);
};

}  // namespace edgecnn
