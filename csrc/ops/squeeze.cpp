// Squeeze: removes the listed size-1 axes (all size-1 axes when none are listed).
#include <algorithm>

#include "ops/view_op.h"

namespace edgecnn {
namespace {

class SqueezeOp final : public ViewOp {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    std::vector<bool> drop(x.size(), false);
    const auto axes = ctx.attrs.get_ints("axes");
    if (axes.empty()) {
      for (size_t i = 0; i < x.size(); ++i) drop[i] = x[i] == 1;
    }
    for (int64_t a : axes) {
      const int i = normalize_axis(a, rank, "axis");
      if (x[i] != 1) throw FormatError("cannot squeeze axis " + std::to_string(a) + " of size " + std::to_string(x[i]));
      drop[i] = true;
    }
    Shape out;
    for (size_t i = 0; i < x.size(); ++i)
      if (!drop[i]) out.push_back(x[i]);
    set_output(ctx, out);
  }
};

}  // namespace
std::unique_ptr<Op> make_SqueezeOp() { return std::make_unique<SqueezeOp>(); }
}  // namespace edgecnn
