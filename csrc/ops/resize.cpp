// Resize (ONNX opset 17) of the two spatial axes of an NCHW tensor: modes
// nearest and linear (bilinear); coordinate_transformation_mode half_pixel,
// asymmetric, align_corners, pytorch_half_pixel, tf_half_pixel_for_nearest;
// the four nearest_mode roundings. The converter turns the scales / sizes
// inputs into attributes (docs/format.md).
//
// Source coordinates are computed in float32 with the same expressions as
// onnxruntime, so nearest-neighbour rounding ties resolve the same way.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "core/aligned_buffer.h"
#include "ops/op.h"
#include "ops/parallel_for.h"

namespace edgecnn {

namespace {

enum class CoordMode { kHalfPixel, kAsymmetric, kAlignCorners, kPytorchHalfPixel, kTfHalfPixelForNearest };
enum class NearestMode { kRoundPreferFloor, kRoundPreferCeil, kFloor, kCeil };

CoordMode parse_coord_mode(const std::string& s) {
  if (s == "half_pixel") return CoordMode::kHalfPixel;
  if (s == "asymmetric") return CoordMode::kAsymmetric;
  if (s == "align_corners") return CoordMode::kAlignCorners;
  if (s == "pytorch_half_pixel") return CoordMode::kPytorchHalfPixel;
  if (s == "tf_half_pixel_for_nearest") return CoordMode::kTfHalfPixelForNearest;
  if (s == "tf_crop_and_resize" || s == "half_pixel_symmetric")
    throw UnsupportedError("coordinate_transformation_mode '" + s + "'");
  throw FormatError("unknown coordinate_transformation_mode '" + s + "'");
}

NearestMode parse_nearest_mode(const std::string& s) {
  if (s == "round_prefer_floor") return NearestMode::kRoundPreferFloor;
  if (s == "round_prefer_ceil") return NearestMode::kRoundPreferCeil;
  if (s == "floor") return NearestMode::kFloor;
  if (s == "ceil") return NearestMode::kCeil;
  throw FormatError("unknown nearest_mode '" + s + "'");
}

// Input coordinate of output index `o` along an axis resized from `in` to `out`
// with `scale` (the given scale, or out / in when sizes were given).
float source_coordinate(CoordMode mode, int64_t o, float scale, int64_t in, int64_t out) {
  const float x = static_cast<float>(o);
  switch (mode) {
    case CoordMode::kHalfPixel:
      return (x + 0.5f) / scale - 0.5f;
    case CoordMode::kAsymmetric:
      return x / scale;
    case CoordMode::kAlignCorners:
      return out == 1 ? 0.0f : x * static_cast<float>(in - 1) / static_cast<float>(out - 1);
    case CoordMode::kPytorchHalfPixel:
      return out > 1 ? (x + 0.5f) / scale - 0.5f : 0.0f;
    case CoordMode::kTfHalfPixelForNearest:
      return (x + 0.5f) / scale;
  }
  return x;
}

int64_t round_nearest(NearestMode mode, float v) {
  switch (mode) {
    case NearestMode::kRoundPreferFloor:
    case NearestMode::kRoundPreferCeil: {
      // A coordinate within 1e-6 of a half is a tie, as onnxruntime decides:
      // float coordinates such as 7 / (2/7.f) = 3.4999998 stand for exact halves.
      const float f = std::floor(v);
      const float d = v - f - 0.5f;
      if (std::fabs(d) <= 1e-6f) return static_cast<int64_t>(f) + (mode == NearestMode::kRoundPreferCeil ? 1 : 0);
      return static_cast<int64_t>(f) + (d < 0.0f ? 0 : 1);
    }
    case NearestMode::kFloor:
      return static_cast<int64_t>(std::floor(v));
    case NearestMode::kCeil:
      return static_cast<int64_t>(std::ceil(v));
  }
  return 0;
}

// The sources of every output index along one axis: nearest uses lo only;
// linear blends lo and hi with weights w_lo, w_hi.
struct AxisMap {
  std::vector<int64_t> lo, hi;
  std::vector<float> w_lo, w_hi;
};

class ResizeOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 4, 1);
    ctx.expect_outputs(1);
    // Input 1 (roi) only matters for tf_crop_and_resize; scales and sizes must
    // have become attributes.
    for (size_t i = 2; i < ctx.input_count(); ++i)
      if (ctx.present[i]) throw FormatError("scales and sizes must be attributes, not inputs");
    const Shape& x = ctx.input_shapes[0];
    if (x.size() != 4) throw UnsupportedError("only 4-D (NCHW) input is supported, input is " + shape_str(x));
    const NodeAttrs& a = ctx.attrs;

    const std::string mode = a.get_string("mode", "nearest");
    if (mode == "cubic") throw UnsupportedError("mode 'cubic'");
    if (mode != "nearest" && mode != "linear") throw FormatError("unknown mode '" + mode + "'");
    linear_ = mode == "linear";
    const CoordMode coord = parse_coord_mode(a.get_string("coordinate_transformation_mode", "half_pixel"));
    const NearestMode nearest = parse_nearest_mode(a.get_string("nearest_mode", "round_prefer_floor"));
    if (a.get_int("antialias", 0) != 0) throw UnsupportedError("antialias");
    if (a.has("axes")) throw UnsupportedError("the axes attribute (the converter expands scales/sizes to every axis)");
    const std::string policy = a.get_string("keep_aspect_ratio_policy", "stretch");
    if (policy != "stretch") throw UnsupportedError("keep_aspect_ratio_policy '" + policy + "'");

    const bool has_scales = a.has("scales"), has_sizes = a.has("sizes");
    if (has_scales == has_sizes) throw FormatError("exactly one of the attributes scales and sizes must be given");
    Shape y(4);
    std::vector<float> scales(4);
    if (has_scales) {
      scales = a.get_floats("scales");
      if (scales.size() != 4) throw FormatError("scales must have 4 values, one per axis");
      for (size_t i = 0; i < 4; ++i) {
        if (!(scales[i] > 0.0f) || !std::isfinite(scales[i])) throw FormatError("scales must be positive and finite");
        // floor(in * scale), in float32 as onnxruntime computes it.
        const float extent = std::floor(scales[i] * static_cast<float>(x[i]));
        if (!(extent < 2147483648.0f)) throw FormatError("scales make an output axis of 2^31 or more");
        y[i] = static_cast<int64_t>(extent);
      }
    } else {
      const std::vector<int64_t> sizes = a.require_ints("sizes");
      if (sizes.size() != 4) throw FormatError("sizes must have 4 values, one per axis");
      for (size_t i = 0; i < 4; ++i) {
        if (sizes[i] < 1 || sizes[i] >= (int64_t{1} << 31)) throw FormatError("sizes must be in [1, 2^31)");
        y[i] = sizes[i];
        scales[i] = static_cast<float>(sizes[i]) / static_cast<float>(x[i]);
      }
    }
    if (y[0] != x[0] || y[1] != x[1]) throw UnsupportedError("resizing the batch or channel axis");
    if (y[2] < 1 || y[3] < 1) throw FormatError("the output " + shape_str(y) + " would be empty");
    if (y[2] > kMaxElements / (y[0] * y[1]) || y[3] > kMaxElements / (y[0] * y[1] * y[2]))
      throw FormatError("the output would have more than 2^31 - 1 elements");
    // onnxruntime copies the input when the shape does not change, whatever
    // the scales; a scale of 1 maps every index to itself below.
    if (y == x) scales.assign(4, 1.0f);
    planes_ = x[0] * x[1];
    in_h_ = x[2];
    in_w_ = x[3];
    out_h_ = y[2];
    out_w_ = y[3];
    ctx.check_output_shape(y);  // before the index maps, as long as its axes
    ctx.check_table_bytes(static_cast<double>(y[2] + y[3]) * (linear_ ? 24.0 : 8.0), "the index maps");
    ctx.output_shapes = {y};
    rows_ = map_axis(coord, nearest, scales[2], in_h_, out_h_);
    cols_ = map_axis(coord, nearest, scales[3], in_w_, out_w_);
    if (linear_) {
      // Scratch per thread: one blended input row, or, when rows are
      // upsampled, two output-width rows.
      rows_first_ = out_h_ >= in_h_ && out_w_ * 2 >= in_w_;
      const int64_t floats = rows_first_ ? 2 * round_up(static_cast<size_t>(out_w_), 16) : in_w_;
      row_stride_ = round_up(static_cast<size_t>(floats) * sizeof(float), 64) / sizeof(float);
      scratch_bytes_ = static_cast<size_t>(ctx.num_threads) * row_stride_ * sizeof(float);
    }
  }

  size_t scratch_bytes() const override { return scratch_bytes_; }

  void run(const RunContext& ctx) const override {
    const int64_t per_task = units_per_task(out_h_ * out_w_ * (linear_ ? 3 : 1));
    const int64_t tasks = (planes_ + per_task - 1) / per_task;
    ctx.pool.run(tasks, [&](int64_t t, int thread) {
      float* blended = ctx.scratch + static_cast<size_t>(thread) * row_stride_;
      const int64_t end = std::min(planes_, (t + 1) * per_task);
      for (int64_t p = t * per_task; p < end; ++p) {
        const float* x = ctx.inputs[0] + p * in_h_ * in_w_;
        float* y = ctx.outputs[0] + p * out_h_ * out_w_;
        if (rows_first_) {
          run_linear_plane_upsampled(x, y, blended);
        } else if (linear_) {
          run_linear_plane(x, y, blended);
        } else {
          run_nearest_plane(x, y);
        }
      }
    });
  }

 private:
  // Bilinear is separable: the two source rows blend into one input-width row
  // (a contiguous, vectorizable loop), which then interpolates along x. When
  // the width shrinks more than twofold, only the columns the output reads are
  // blended, with the same arithmetic: blending whole rows would cost in_w per
  // output row (a file resizing 4 x 262144 to 1792 x 3 took a minute).
  void run_linear_plane(const float* x, float* y, float* blended) const {
    const bool sparse = out_w_ * 2 < in_w_;
    for (int64_t oy = 0; oy < out_h_; ++oy, y += out_w_) {
      const float* r0 = x + rows_.lo[oy] * in_w_;
      const float* r1 = x + rows_.hi[oy] * in_w_;
      const float wy0 = rows_.w_lo[oy], wy1 = rows_.w_hi[oy];
      if (sparse) {
        for (int64_t ox = 0; ox < out_w_; ++ox) {
          const int64_t lo = cols_.lo[ox], hi = cols_.hi[ox];
          const float b_lo = wy0 * r0[lo] + wy1 * r1[lo];
          const float b_hi = wy0 * r0[hi] + wy1 * r1[hi];
          y[ox] = cols_.w_lo[ox] * b_lo + cols_.w_hi[ox] * b_hi;
        }
        continue;
      }
      for (int64_t i = 0; i < in_w_; ++i) blended[i] = wy0 * r0[i] + wy1 * r1[i];
      for (int64_t ox = 0; ox < out_w_; ++ox)
        y[ox] = cols_.w_lo[ox] * blended[cols_.lo[ox]] + cols_.w_hi[ox] * blended[cols_.hi[ox]];
    }
  }

  // Rows upsampled (out_h >= in_h): each input row the output reads is
  // interpolated along x once, into one of two output-width rows (its index
  // in `held`), and every output row is a contiguous blend of two of them.
  // Interpolating along x per output row instead gathered out_w columns
  // for every output row: 3.6 ms for LRASPP's 21 x 520 x 520 output.
  void run_linear_plane_upsampled(const float* x, float* y, float* rows) const {
    const size_t width = round_up(static_cast<size_t>(out_w_), 16);
    float* held_row[2] = {rows, rows + width};
    int64_t held[2] = {-1, -1};
    // The slot holding input row iy, filled if needed; `keep` (a slot, or
    // -1) is not overwritten. Else the lower row goes: the later output rows
    // read the same or higher rows.
    const auto slot = [&](int64_t iy, int keep) {
      for (int s = 0; s < 2; ++s)
        if (held[s] == iy) return s;
      const int s = keep >= 0 ? 1 - keep : held[0] < held[1] ? 0 : 1;
      const float* r = x + iy * in_w_;
      float* h = held_row[s];
      for (int64_t ox = 0; ox < out_w_; ++ox)
        h[ox] = cols_.w_lo[ox] * r[cols_.lo[ox]] + cols_.w_hi[ox] * r[cols_.hi[ox]];
      held[s] = iy;
      return s;
    };
    for (int64_t oy = 0; oy < out_h_; ++oy, y += out_w_) {
      const int s0 = slot(rows_.lo[oy], -1);
      const float* h0 = held_row[s0];
      const float* h1 = held_row[slot(rows_.hi[oy], s0)];
      const float wy0 = rows_.w_lo[oy], wy1 = rows_.w_hi[oy];
      for (int64_t ox = 0; ox < out_w_; ++ox) y[ox] = wy0 * h0[ox] + wy1 * h1[ox];
    }
  }

  // Consecutive output rows that read the same source row (upsampling) are copies.
  void run_nearest_plane(const float* x, float* y) const {
    for (int64_t oy = 0; oy < out_h_; ++oy, y += out_w_) {
      if (oy > 0 && rows_.lo[oy] == rows_.lo[oy - 1]) {
        std::copy(y - out_w_, y, y);
        continue;
      }
      const float* r = x + rows_.lo[oy] * in_w_;
      for (int64_t ox = 0; ox < out_w_; ++ox) y[ox] = r[cols_.lo[ox]];
    }
  }

  AxisMap map_axis(CoordMode coord, NearestMode nearest, float scale, int64_t in, int64_t out) const {
    AxisMap m;
    for (int64_t o = 0; o < out; ++o) {
      // onnxruntime takes the output index itself when the scale is 1,
      // whatever the coordinate mode.
      if (!linear_) {
        const int64_t i = scale == 1.0f ? o : round_nearest(nearest, source_coordinate(coord, o, scale, in, out));
        m.lo.push_back(std::min(std::max<int64_t>(i, 0), in - 1));
        continue;
      }
      float v = scale == 1.0f ? static_cast<float>(o) : source_coordinate(coord, o, scale, in, out);
      v = std::min(std::max(v, 0.0f), static_cast<float>(in - 1));
      const int64_t lo = std::min(static_cast<int64_t>(v), in - 1);
      const int64_t hi = std::min(lo + 1, in - 1);
      m.lo.push_back(lo);
      m.hi.push_back(hi);
      const float w_hi = lo == hi ? 0.0f : v - static_cast<float>(lo);
      m.w_hi.push_back(w_hi);
      m.w_lo.push_back(lo == hi ? 1.0f : static_cast<float>(hi) - v);
    }
    return m;
  }

  bool linear_ = false;
  int64_t planes_ = 0, in_h_ = 0, in_w_ = 0, out_h_ = 0, out_w_ = 0;
  size_t row_stride_ = 0;  // floats per thread of scratch (linear)
  bool rows_first_ = false;  // linear with rows upsampled: run_linear_plane_upsampled
  size_t scratch_bytes_ = 0;
  AxisMap rows_, cols_;
};

}  // namespace

std::unique_ptr<Op> make_ResizeOp() { return std::make_unique<ResizeOp>(); }

}  // namespace edgecnn
