// Pad (ONNX opset 17) of a tensor of any rank: modes constant, reflect and
// edge; the converter turns the pads and constant_value inputs into the
// attributes `pads` and `value` (docs/format.md). Negative pads crop. As in
// onnxruntime, cropping happens first and reflect / edge then pad the cropped
// tensor.
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "ops/op.h"
#include "ops/parallel_for.h"

namespace edgecnn {

namespace {

enum class PadMode { kConstant, kReflect, kEdge };

class PadOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 4, 1);
    ctx.expect_outputs(1);
    for (size_t i = 1; i < ctx.input_count(); ++i)
      if (ctx.present[i]) throw FormatError("pads, constant_value and axes must be attributes, not inputs");
    const Shape& x = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    if (rank < 1) throw FormatError("input must have rank 1 or more");
    const std::string mode = ctx.attrs.get_string("mode", "constant");
    if (mode == "constant") {
      mode_ = PadMode::kConstant;
    } else if (mode == "reflect") {
      mode_ = PadMode::kReflect;
    } else if (mode == "edge") {
      mode_ = PadMode::kEdge;
    } else if (mode == "wrap") {
      throw UnsupportedError("mode 'wrap'");
    } else {
      throw FormatError("unknown mode '" + mode + "'");
    }
    value_ = ctx.attrs.get_float("value", 0.0f);
    const std::vector<int64_t> pads = ctx.attrs.require_ints("pads");
    if (static_cast<int64_t>(pads.size()) != 2 * rank)
      throw FormatError("pads must have " + std::to_string(2 * rank) + " values (2 x rank), has " +
                        std::to_string(pads.size()));
    for (int64_t p : pads)
      if (p <= -(int64_t{1} << 31) || p >= (int64_t{1} << 31)) throw FormatError("pads must be in (-2^31, 2^31)");

    // The output shape first: the index maps below are as long as its axes.
    Shape y(x.size());
    for (int64_t d = 0, count = 1; d < rank; ++d) {
      y[d] = x[d] + pads[d] + pads[d + rank];
      if (y[d] < 1) throw FormatError("pads leave axis " + std::to_string(d) + " empty");
      if (y[d] > kMaxElements / count) throw FormatError("the output would have more than 2^31 - 1 elements");
      count *= y[d];
    }
    ctx.check_output_shape(y);  // before the index maps, as long as its axes
    double map_entries = 0;
    for (int64_t d : y) map_entries += static_cast<double>(d);
    ctx.check_table_bytes(map_entries * sizeof(int64_t), "the index maps");
    maps_.assign(x.size(), {});
    for (int64_t d = 0; d < rank; ++d) {
      const int64_t in = x[d], begin = pads[d], end = pads[d + rank];
      // The part of the axis that survives cropping.
      const int64_t lo = std::max<int64_t>(0, -begin), hi = in - std::max<int64_t>(0, -end);
      const int64_t kept = hi - lo;
      if ((begin > 0 || end > 0) && mode_ != PadMode::kConstant) {
        if (kept < 1) throw FormatError("mode '" + mode + "' cannot pad axis " + std::to_string(d) + " cropped to nothing");
        if (mode_ == PadMode::kReflect && (begin >= kept || end >= kept))
          throw UnsupportedError("reflect pads of axis " + std::to_string(d) + " must be smaller than its length " +
                                 std::to_string(kept) + " after cropping");
      }
      std::vector<int64_t>& m = maps_[d];
      m.resize(static_cast<size_t>(y[d]));
      for (int64_t o = 0; o < y[d]; ++o) {
        int64_t i = o - begin;
        if (i < lo || i >= hi) {
          if (mode_ == PadMode::kConstant) {
            i = -1;
          } else if (mode_ == PadMode::kEdge) {
            i = i < lo ? lo : hi - 1;
          } else {
            i = i < lo ? 2 * lo - i : 2 * (hi - 1) - i;
          }
        }
        m[static_cast<size_t>(o)] = i;
      }
      if (d == rank - 1) {
        // The run of the last axis copied straight from the input.
        copy_begin_ = std::min(y[d], std::max<int64_t>(0, begin));
        copy_end_ = std::max(copy_begin_, std::min(y[d], hi + begin));
        copy_src_ = copy_begin_ - begin;
      }
    }
    in_strides_ = dense_strides(x);
    out_shape_ = y;
    ctx.output_shapes = {y};
  }

  void run(const RunContext& ctx) const override {
    const int64_t row_len = out_shape_.back();
    const int64_t rows = num_elements(out_shape_) / row_len;
    parallel_ranges(ctx.pool, rows, units_per_task(row_len), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) pad_row(ctx.inputs[0], r, ctx.outputs[0] + r * row_len);
    });
  }

 private:
  // Writes output row r (all axes but the last fixed) to y.
  void pad_row(const float* x, int64_t r, float* y) const {
    const size_t rank = out_shape_.size();
    const int64_t row_len = out_shape_[rank - 1];
    // The input row's offset, from the outer axes' maps, innermost first.
    int64_t src = 0;
    for (size_t d = rank - 1, rest = static_cast<size_t>(r); d-- > 0;) {
      const size_t n = static_cast<size_t>(out_shape_[d]);
      const int64_t i = maps_[d][rest % n];
      rest /= n;
      if (i < 0) {
        std::fill(y, y + row_len, value_);
        return;
      }
      src += i * in_strides_[d];
    }
    const float* row = x + src;
    const std::vector<int64_t>& last = maps_[rank - 1];
    for (int64_t o = 0; o < copy_begin_; ++o) {
      const int64_t i = last[static_cast<size_t>(o)];
      y[o] = i < 0 ? value_ : row[i];
    }
    if (copy_end_ > copy_begin_)
      std::memcpy(y + copy_begin_, row + copy_src_, static_cast<size_t>(copy_end_ - copy_begin_) * sizeof(float));
    for (int64_t o = copy_end_; o < row_len; ++o) {
      const int64_t i = last[static_cast<size_t>(o)];
      y[o] = i < 0 ? value_ : row[i];
    }
  }

  PadMode mode_ = PadMode::kConstant;
  float value_ = 0.0f;
  // maps_[d][o]: the input index along axis d that output index o reads, or
  // -1 for the constant value.
  std::vector<std::vector<int64_t>> maps_;
  std::vector<int64_t> in_strides_;
  Shape out_shape_;
  int64_t copy_begin_ = 0, copy_end_ = 0, copy_src_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_PadOp() { return std::make_unique<PadOp>(); }

}  // namespace edgecnn
