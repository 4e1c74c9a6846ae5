// Add, Sub, Mul, Div: one operator, a broadcast binary arithmetic operation,
// under four ONNX names. Either input may be a constant (its data is then read
// in place from the model file).
#include "ops/broadcast.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

enum class BinaryKind { kAdd, kSub, kMul, kDiv };

class BinaryElementwiseOp final : public Op {
 public:
  explicit BinaryElementwiseOp(BinaryKind kind) : kind_(kind) {}

  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 2, 2);
    ctx.expect_outputs(1);
    if (!plan_broadcast(ctx.input_shapes[0], ctx.input_shapes[1], loop_))
      throw FormatError("input shapes " + shape_str(ctx.input_shapes[0]) + " and " +
                        shape_str(ctx.input_shapes[1]) + " do not broadcast");
    ctx.output_shapes = {loop_.out_shape};
  }

  void run(const RunContext& ctx) const override {
    const float* a = ctx.inputs[0];
    const float* b = ctx.inputs[1];
    float* y = ctx.outputs[0];
    switch (kind_) {
      case BinaryKind::kAdd:
        run_broadcast(loop_, a, b, y, ctx.pool, [](float u, float v) { return u + v; });
        break;
      case BinaryKind::kSub:
        run_broadcast(loop_, a, b, y, ctx.pool, [](float u, float v) { return u - v; });
        break;
      case BinaryKind::kMul:
        run_broadcast(loop_, a, b, y, ctx.pool, [](float u, float v) { return u * v; });
        break;
      case BinaryKind::kDiv:
        run_broadcast(loop_, a, b, y, ctx.pool, [](float u, float v) { return u / v; });
        break;
    }
  }

 private:
  BinaryKind kind_;
  BroadcastLoop loop_;
};

}  // namespace

std::unique_ptr<Op> make_AddOp() { return std::make_unique<BinaryElementwiseOp>(BinaryKind::kAdd); }
std::unique_ptr<Op> make_SubOp() { return std::make_unique<BinaryElementwiseOp>(BinaryKind::kSub); }
std::unique_ptr<Op> make_MulOp() { return std::make_unique<BinaryElementwiseOp>(BinaryKind::kMul); }
std::unique_ptr<Op> make_DivOp() { return std::make_unique<BinaryElementwiseOp>(BinaryKind::kDiv); }

}  // namespace edgecnn
