// The sliding-window geometry shared by Conv, ConvTranspose and the pools:
// kernel size, strides, dilations and explicit pads over the two spatial axes
// of an NCHW tensor.
#pragma once
#include <cstdint>

#include "ops/op.h"

namespace edgecnn {

struct Window2d {
  int64_t kh = 1, kw = 1;
  int64_t sh = 1, sw = 1;
  int64_t dh = 1, dw = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;

  // Output extent along one axis for input extent `in` (floor, or ceil as
  // ONNX pools define it: a last window must start inside the input or left padding).
  static int64_t output_extent(int64_t in, int64_t k, int64_t s, int64_t d, int64_t pad_begin, int64_t pad_end,
                               bool ceil_mode);
};

// Reads kernel_shape (or takes `kernel_h`, `kernel_w` when > 0 and the
// attribute is absent), strides, dilations, pads; rejects auto_pad other than
// NOTSET (the converter resolves it) and anything that is not 2-D.
Window2d read_window2d(const NodeAttrs& attrs, int64_t kernel_h, int64_t kernel_w, bool allow_dilations);

}  // namespace edgecnn
