// Reshape with the target shape as an attribute, fully resolved by the
// converter (no 0 and no -1 entries).
#include "ops/view_op.h"

namespace edgecnn {
namespace {

class ReshapeOp final : public ViewOp {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const auto shape = ctx.attrs.require_ints("shape");
    if (shape.size() > kMaxRank) throw FormatError("shape has more than 8 dimensions");
    for (int64_t d : shape)
      if (d < 1) throw FormatError("shape entries must be positive (the converter resolves 0 and -1)");
    set_output(ctx, Shape(shape.begin(), shape.end()));
  }
};

}  // namespace
std::unique_ptr<Op> make_ReshapeOp() { return std::make_unique<ReshapeOp>(); }
}  // namespace edgecnn
