// One row of the im2col matrix of a 2-D convolution, as the im2col kernels
// (kernels/im2col.h) see it: plain data, shared with the ISA files.
//
// Row k = (c, ky, kx) of B holds, for output pixel p = oy*out_w + ox,
//   B(k, p) = plane[iy*in_w + ix] with iy = oy*sh + y_off, ix = ox*sw + x_off
// (y_off = ky*dilation_h - pad_top, x_off = kx*dilation_w - pad_left), or 0
// where (iy, ix) falls outside the in_h x in_w plane (padding).
#pragma once
#include <stdint.h>

namespace edgecnn {

struct Im2colRow {
  const float* plane;  // input channel c, dense
  int64_t in_h, in_w, out_w;
  int64_t sh, sw;
  int64_t y_off, x_off;
};

}  // namespace edgecnn
