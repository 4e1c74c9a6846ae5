// PRelu: y = x < 0 ? slope * x : x, with the slope broadcast to X
// (unidirectionally: the output has X's shape).
#include "ops/broadcast.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

class PReluOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 2, 2);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const Shape& slope = ctx.input_shapes[1];
    if (!plan_broadcast(x, slope, loop_) || loop_.out_shape != x)
      throw FormatError("slope " + shape_str(slope) + " does not broadcast to the input shape " + shape_str(x));
    ctx.output_shapes = {x};
  }

  void run(const RunContext& ctx) const override {
    run_broadcast(loop_, ctx.inputs[0], ctx.inputs[1], ctx.outputs[0], ctx.pool,
                  [](float x, float s) { return x < 0.0f ? s * x : x; });
  }

 private:
  BroadcastLoop loop_;
};

}  // namespace

std::unique_ptr<Op> make_PReluOp() { return std::make_unique<PReluOp>(); }

}  // namespace edgecnn
