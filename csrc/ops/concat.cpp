// Concat along one axis; inputs may be constants.
#include "ops/axis_parts.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

class ConcatOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    if (ctx.input_count() == 0) throw FormatError("expects at least 1 input");
    ctx.expect_inputs(1, ctx.input_count(), ctx.input_count());
    ctx.expect_outputs(1);
    const Shape& first = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(first.size());
    if (rank == 0) throw FormatError("inputs must have rank >= 1");
    const int axis = normalize_axis(ctx.attrs.require_int("axis"), rank, "axis");
    Shape out = first;
    out[axis] = 0;
    for (size_t i = 0; i < ctx.input_count(); ++i) {
      const Shape& s = ctx.input_shapes[i];
      if (static_cast<int64_t>(s.size()) != rank)
        throw FormatError("input " + std::to_string(i) + " " + shape_str(s) + " has a different rank than input 0 " +
                          shape_str(first));
      out[axis] += s[axis];
    }
    parts_ = AxisParts::plan(out, ctx.input_shapes, axis);
    ctx.output_shapes = {out};
  }

  PartsLayout parts_layout() const override {
    if (parts_.outer != 1) return {};
    return {std::vector<int64_t>(parts_.offset.begin(), parts_.offset.end() - 1), true};
  }

  void run(const RunContext& ctx) const override { gather_parts(parts_, ctx.inputs, ctx.outputs[0], ctx.pool); }

 private:
  AxisParts parts_;
};

}  // namespace

std::unique_ptr<Op> make_ConcatOp() { return std::make_unique<ConcatOp>(); }

}  // namespace edgecnn
