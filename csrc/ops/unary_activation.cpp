// The standalone activation operators: Relu, Clip, Sigmoid, HardSigmoid,
// HardSwish, LeakyRelu, Tanh and edgecnn's SiLU. They are one operator, an
// element-wise activation, under eight ONNX names; the parameters come from
// the ONNX attributes (Clip's min/max are attributes after conversion).
#include <algorithm>

#include "ops/activation.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

// Elements per parallel task: large enough that scheduling cost is noise.
constexpr int64_t kElementsPerTask = 1 << 16;

class UnaryActivationOp final : public Op {
 public:
  UnaryActivationOp(const char* name, const char* alpha_attr, const char* beta_attr)
      : name_(name), alpha_attr_(alpha_attr), beta_attr_(beta_attr) {}

  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const bool has_alpha = alpha_attr_ && ctx.attrs.has(alpha_attr_);
    const bool has_beta = beta_attr_ && ctx.attrs.has(beta_attr_);
    act_ = make_activation(name_, has_alpha, has_alpha ? ctx.attrs.get_float(alpha_attr_, 0.0f) : 0.0f, has_beta,
                           has_beta ? ctx.attrs.get_float(beta_attr_, 0.0f) : 0.0f, ctx.isa);
    count_ = num_elements(ctx.input_shapes[0]);
    ctx.output_shapes = {ctx.input_shapes[0]};
  }

  void run(const RunContext& ctx) const override {
    const int64_t tasks = (count_ + kElementsPerTask - 1) / kElementsPerTask;
    ctx.pool.run(tasks, [&](int64_t t, int) {
      const int64_t begin = t * kElementsPerTask;
      const int64_t n = std::min(kElementsPerTask, count_ - begin);
      apply_activation(act_, ctx.inputs[0] + begin, ctx.outputs[0] + begin, static_cast<size_t>(n));
    });
  }

 private:
  const char* name_;
  const char* alpha_attr_;
  const char* beta_attr_;
  ActivationParams act_;
  int64_t count_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_ReluOp() { return std::make_unique<UnaryActivationOp>("Relu", nullptr, nullptr); }
std::unique_ptr<Op> make_ClipOp() { return std::make_unique<UnaryActivationOp>("Clip", "min", "max"); }
std::unique_ptr<Op> make_SigmoidOp() { return std::make_unique<UnaryActivationOp>("Sigmoid", nullptr, nullptr); }
std::unique_ptr<Op> make_HardSigmoidOp() { return std::make_unique<UnaryActivationOp>("HardSigmoid", "alpha", "beta"); }
std::unique_ptr<Op> make_HardSwishOp() { return std::make_unique<UnaryActivationOp>("HardSwish", nullptr, nullptr); }
std::unique_ptr<Op> make_LeakyReluOp() { return std::make_unique<UnaryActivationOp>("LeakyRelu", "alpha", nullptr); }
std::unique_ptr<Op> make_TanhOp() { return std::make_unique<UnaryActivationOp>("Tanh", nullptr, nullptr); }
std::unique_ptr<Op> make_SiLUOp() { return std::make_unique<UnaryActivationOp>("SiLU", nullptr, nullptr); }

}  // namespace edgecnn
