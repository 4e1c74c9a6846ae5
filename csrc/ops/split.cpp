// Split along one axis into the sizes of the `split` attribute (always
// written by the converter; without it, equal parts, one per output).
#include "ops/axis_parts.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

class SplitOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    const size_t outputs = ctx.node.outputs.size();
    if (outputs < 1) throw FormatError("expects at least 1 output");
    const Shape& x = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    if (rank == 0) throw FormatError("input must have rank >= 1");
    const int axis = normalize_axis(ctx.attrs.get_int("axis", 0), rank, "axis");
    std::vector<int64_t> sizes = ctx.attrs.get_ints("split");
    if (sizes.empty()) {
      if (x[axis] % static_cast<int64_t>(outputs) != 0)
        throw FormatError("axis " + std::to_string(axis) + " of extent " + std::to_string(x[axis]) +
                          " does not split into " + std::to_string(outputs) + " equal parts");
      sizes.assign(outputs, x[axis] / static_cast<int64_t>(outputs));
    }
    if (sizes.size() != outputs)
      throw FormatError("split has " + std::to_string(sizes.size()) + " sizes for " + std::to_string(outputs) +
                        " outputs");
    std::vector<Shape> shapes;
    for (int64_t s : sizes) {
      if (s < 0) throw FormatError("split sizes must be >= 0, got " + std::to_string(s));
      if (s == 0) throw UnsupportedError("empty outputs (split size 0) are not supported");
      shapes.push_back(x);
      shapes.back()[axis] = s;
    }
    parts_ = AxisParts::plan(x, shapes, axis);
    ctx.output_shapes = shapes;
  }

  PartsLayout parts_layout() const override {
    if (parts_.outer != 1) return {};
    return {std::vector<int64_t>(parts_.offset.begin(), parts_.offset.end() - 1), false};
  }

  void run(const RunContext& ctx) const override { scatter_parts(parts_, ctx.inputs[0], ctx.outputs, ctx.pool); }

 private:
  AxisParts parts_;
};

}  // namespace

std::unique_ptr<Op> make_SplitOp() { return std::make_unique<SplitOp>(); }

}  // namespace edgecnn
