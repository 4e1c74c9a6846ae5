// Slice with starts/ends/axes/steps as attributes (ONNX passes them as
// inputs; the converter folds them). Clamping follows ONNX: negative starts
// and ends count from the end; then, for a positive step, start and end are
// clamped to [0, dim]; for a negative one, start to [0, dim - 1] and end to
// [-1, dim - 1].
#include <algorithm>
#include <limits>

#include "ops/op.h"
#include "ops/strided_gather.h"

namespace edgecnn {

namespace {

class SliceOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    const std::vector<int64_t> starts = ctx.attrs.require_ints("starts");
    const std::vector<int64_t> ends = ctx.attrs.require_ints("ends");
    const size_t n = starts.size();
    if (ends.size() != n)
      throw FormatError("starts and ends have " + std::to_string(n) + " and " + std::to_string(ends.size()) +
                        " entries");
    std::vector<int64_t> axes = ctx.attrs.get_ints("axes");
    if (!ctx.attrs.has("axes"))
      for (size_t i = 0; i < n; ++i) axes.push_back(static_cast<int64_t>(i));
    const std::vector<int64_t> steps = ctx.attrs.get_ints("steps", std::vector<int64_t>(n, 1));
    if (axes.size() != n || steps.size() != n)
      throw FormatError("axes and steps must have as many entries as starts (" + std::to_string(n) + ")");

    const std::vector<int64_t> in_strides = dense_strides(x);
    Shape out = x;
    std::vector<int64_t> strides = in_strides;
    std::vector<bool> seen(x.size(), false);
    int64_t base = 0;
    for (size_t i = 0; i < n; ++i) {
      const int axis = normalize_axis(axes[i], rank, "axis");
      if (seen[axis]) throw FormatError("axis " + std::to_string(axis) + " is sliced twice");
      seen[axis] = true;
      const int64_t step = steps[i], dim = x[axis];
      if (step == 0) throw FormatError("steps must not be 0");
      int64_t start = starts[i] < 0 ? starts[i] + dim : starts[i];
      int64_t end = ends[i] < 0 ? ends[i] + dim : ends[i];
      int64_t extent;
      if (step > 0) {
        start = std::clamp<int64_t>(start, 0, dim);
        end = std::clamp<int64_t>(end, 0, dim);
        extent = end > start ? (end - start - 1) / step + 1 : 0;
      } else {
        start = std::clamp<int64_t>(start, 0, dim - 1);
        end = std::clamp<int64_t>(end, -1, dim - 1);
        // |step| without overflowing at INT64_MIN (any |step| >= dim takes one element).
        const int64_t magnitude = step == std::numeric_limits<int64_t>::min() ? dim : -step;
        extent = start > end ? (start - end - 1) / magnitude + 1 : 0;
      }
      if (extent == 0)
        throw UnsupportedError("the slice of axis " + std::to_string(axis) +
                               " is empty (empty tensors are not supported)");
      out[axis] = extent;
      base += start * in_strides[axis];
      // One element needs no step; more bound |step| below dim, so no overflow.
      strides[axis] = extent == 1 ? in_strides[axis] : step * in_strides[axis];
    }
    gather_.plan(out, strides, base);
    ctx.output_shapes = {out};
  }

  void run(const RunContext& ctx) const override { gather_.run(ctx.inputs[0], ctx.outputs[0], ctx.pool); }

 private:
  StridedGather gather_;
};

}  // namespace

std::unique_ptr<Op> make_SliceOp() { return std::make_unique<SliceOp>(); }

}  // namespace edgecnn
