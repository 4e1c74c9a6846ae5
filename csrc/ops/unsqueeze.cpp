// Unsqueeze: inserts size-1 axes at the listed positions of the output.
#include "ops/view_op.h"

namespace edgecnn {
namespace {

class UnsqueezeOp final : public ViewOp {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const auto axes = ctx.attrs.require_ints("axes");
    const int64_t out_rank = static_cast<int64_t>(x.size() + axes.size());
    if (out_rank > kMaxRank) throw FormatError("result would have more than 8 dimensions");
    std::vector<bool> inserted(out_rank, false);
    for (int64_t a : axes) {
      const int i = normalize_axis(a, out_rank, "axis");
      if (inserted[i]) throw FormatError("axis " + std::to_string(a) + " listed twice");
      inserted[i] = true;
    }
    Shape out;
    size_t next = 0;
    for (int64_t i = 0; i < out_rank; ++i) out.push_back(inserted[i] ? 1 : x[next++]);
    set_output(ctx, out);
  }
};

}  // namespace
std::unique_ptr<Op> make_UnsqueezeOp() { return std::make_unique<UnsqueezeOp>(); }
}  // namespace edgecnn
