#include "ops/pool.h"

#include <algorithm>

namespace edgecnn {

namespace {

std::vector<PoolTaps> axis_taps(int64_t out, int64_t in, int64_t k, int64_t s, int64_t d, int64_t pad_begin) {
  std::vector<PoolTaps> taps(static_cast<size_t>(out));
  for (int64_t o = 0; o < out; ++o) {
    PoolTaps& t = taps[static_cast<size_t>(o)];
    t.origin = o * s - pad_begin;
    // First tap with origin + t*d >= 0, first tap with origin + t*d >= in.
    t.begin = t.origin >= 0 ? 0 : (-t.origin + d - 1) / d;
    t.end = t.origin >= in ? 0 : std::min<int64_t>(k, (in - t.origin + d - 1) / d);
    if (t.end < t.begin) t.end = t.begin;
  }
  return taps;
}

}  // namespace

void Pool2dGeometry::prepare(PrepareContext& ctx, bool allow_dilations) {
  ctx.expect_inputs(1, 1, 1);
  ctx.expect_outputs(1);
  const Shape& x = ctx.input_shapes[0];
  if (x.size() != 4) throw UnsupportedError("only 2-D pooling on NCHW input is supported, input is " + shape_str(x));
  if (!ctx.attrs.has("kernel_shape")) throw FormatError("missing required attribute 'kernel_shape'");
  win = read_window2d(ctx.attrs, 0, 0, allow_dilations);
  const int64_t ceil_mode = ctx.attrs.get_int("ceil_mode", 0);
  if (ceil_mode != 0 && ceil_mode != 1) throw FormatError("ceil_mode must be 0 or 1");
  if (win.pad_top >= win.kh || win.pad_bottom >= win.kh || win.pad_left >= win.kw || win.pad_right >= win.kw)
    throw UnsupportedError("pads must be smaller than the kernel");
  planes = x[0] * x[1];
  in_h = x[2];
  in_w = x[3];
  out_h = Window2d::output_extent(in_h, win.kh, win.sh, win.dh, win.pad_top, win.pad_bottom, ceil_mode != 0);
  out_w = Window2d::output_extent(in_w, win.kw, win.sw, win.dw, win.pad_left, win.pad_right, ceil_mode != 0);
  if (out_h < 1 || out_w < 1) throw FormatError("the kernel does not fit the padded input " + shape_str(x));
  ctx.output_shapes = {Shape{x[0], x[1], out_h, out_w}};
  ctx.check_output_shape(ctx.output_shapes[0]);  // before the tap tables (and AveragePool's divisors)
  ctx.check_table_bytes(static_cast<double>(out_h + out_w) * sizeof(PoolTaps), "the window tables");
  rows = axis_taps(out_h, in_h, win.kh, win.sh, win.dh, win.pad_top);
  cols = axis_taps(out_w, in_w, win.kw, win.sw, win.dw, win.pad_left);
  spans.resize(static_cast<size_t>(win.kw));
  for (int64_t kx = 0; kx < win.kw; ++kx) {
    // ox * sw - pad_left + kx * dw in [0, in_w)  <=>  ox in [ceil(lo / sw), ceil(hi / sw)).
    const int64_t lo = win.pad_left - kx * win.dw, hi = in_w + win.pad_left - kx * win.dw;
    PoolSpan& s = spans[static_cast<size_t>(kx)];
    s.begin = lo <= 0 ? 0 : (lo + win.sw - 1) / win.sw;
    s.end = hi <= 0 ? 0 : std::min(out_w, (hi + win.sw - 1) / win.sw);
  }
  empty_columns.clear();
  for (int64_t ox = 0; ox < out_w; ++ox)
    if (cols[static_cast<size_t>(ox)].begin >= cols[static_cast<size_t>(ox)].end) empty_columns.push_back(ox);
  interior_begin = 0;
  interior_end = out_w;
  for (const PoolSpan& s : spans) {
    interior_begin = std::max(interior_begin, s.begin);
    interior_end = std::min(interior_end, s.end);
  }
  if (win.sw == 2) {
    split_columns = f32_im2col_kernel(ctx.isa).phase_row;
    half = (in_w + 1) / 2;
  }
}

}  // namespace edgecnn
