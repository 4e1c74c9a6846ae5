// Flatten: [d0 .. d(axis-1)] x [d(axis) .. d(r-1)] as a 2-D tensor.
#include "ops/view_op.h"

namespace edgecnn {
namespace {

class FlattenOp final : public ViewOp {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    const int64_t axis = ctx.attrs.get_int("axis", 1);
    if (axis < -rank || axis > rank) throw FormatError("axis " + std::to_string(axis) + " out of range");
    const int64_t a = axis < 0 ? axis + rank : axis;
    int64_t outer = 1;
    for (int64_t i = 0; i < a; ++i) outer *= x[i];
    set_output(ctx, Shape{outer, num_elements(x) / outer});
  }
};

}  // namespace
std::unique_ptr<Op> make_FlattenOp() { return std::make_unique<FlattenOp>(); }
}  // namespace edgecnn
