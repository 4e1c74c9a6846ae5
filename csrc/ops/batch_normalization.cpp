// BatchNormalization in inference mode over NC... tensors of rank >= 2
// (channel axis 1). The constant statistics are folded at load into one
// affine map per channel: y = x * s[c] + t[c] with s = scale / sqrt(var + eps)
// and t = B - mean * s.
#include <cmath>

#include "ops/op.h"
#include "ops/parallel_for.h"

namespace edgecnn {

namespace {

class BatchNormalizationOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(5, 5, 5);
    ctx.expect_outputs(1);
    if (ctx.attrs.get_int("training_mode", 0) != 0)
      throw UnsupportedError("training_mode = 1 is not supported (inference only)");
    const Shape& x = ctx.input_shapes[0];
    if (x.size() < 2) throw FormatError("input must have rank >= 2, is " + shape_str(x));
    channels_ = x[1];
    static const char* const kNames[] = {"scale", "B", "mean", "var"};
    for (size_t i = 1; i < 5; ++i)
      if (ctx.input_shapes[i] != Shape{channels_})
        throw FormatError(std::string(kNames[i - 1]) + " must have shape [" + std::to_string(channels_) + "], is " +
                          shape_str(ctx.input_shapes[i]));
    const float* scale = ctx.require_constant(1, "scale");
    const float* bias = ctx.require_constant(2, "B");
    const float* mean = ctx.require_constant(3, "mean");
    const float* var = ctx.require_constant(4, "var");
    const float eps = ctx.attrs.get_float("epsilon", 1e-5f);
    mul_.resize(channels_);
    add_.resize(channels_);
    for (int64_t c = 0; c < channels_; ++c) {
      mul_[c] = scale[c] / std::sqrt(var[c] + eps);
      add_[c] = bias[c] - mean[c] * mul_[c];
    }
    plane_ = 1;
    for (size_t i = 2; i < x.size(); ++i) plane_ *= x[i];
    planes_ = x[0] * channels_;
    ctx.output_shapes = {x};
  }

  void run(const RunContext& ctx) const override {
    const float* x = ctx.inputs[0];
    float* y = ctx.outputs[0];
    const int64_t group = units_per_task(plane_);
    parallel_ranges(ctx.pool, planes_, group, [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const float s = mul_[p % channels_], t = add_[p % channels_];
        const float* xp = x + p * plane_;
        float* yp = y + p * plane_;
        for (int64_t i = 0; i < plane_; ++i) yp[i] = xp[i] * s + t;
      }
    });
  }

 private:
  int64_t channels_ = 0, plane_ = 1, planes_ = 0;
  std::vector<float> mul_, add_;
};

}  // namespace

std::unique_ptr<Op> make_BatchNormalizationOp() { return std::make_unique<BatchNormalizationOp>(); }

}  // namespace edgecnn
