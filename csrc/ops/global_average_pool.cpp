// GlobalAveragePool (ONNX opset 17): the mean of every N x C plane of an
// [N, C, spatial...] tensor; the output is [N, C, 1, ...].
#include "ops/op.h"
#include "ops/parallel_for.h"

namespace edgecnn {

namespace {

// Independent partial sums: they let the compiler vectorize the reduction and
// keep rounding error lower than one running sum over a large plane.
constexpr int kLanes = 16;

class GlobalAveragePoolOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    if (x.size() < 3) throw FormatError("input must have rank 3 or more, is " + shape_str(x));
    planes_ = x[0] * x[1];
    plane_size_ = num_elements(x) / planes_;
    Shape y(x.size(), 1);
    y[0] = x[0];
    y[1] = x[1];
    ctx.output_shapes = {y};
  }

  void run(const RunContext& ctx) const override {
    const float* x_all = ctx.inputs[0];
    float* y = ctx.outputs[0];
    const int64_t n = plane_size_;
    const float inv = 1.0f / static_cast<float>(n);
    parallel_ranges(ctx.pool, planes_, units_per_task(n), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const float* x = x_all + p * n;
        float lanes[kLanes] = {};
        int64_t i = 0;
        for (; i + kLanes <= n; i += kLanes)
          for (int l = 0; l < kLanes; ++l) lanes[l] += x[i + l];
        float sum = 0.0f;
        for (; i < n; ++i) sum += x[i];
        for (int l = 0; l < kLanes; ++l) sum += lanes[l];
        y[p] = sum * inv;
      }
    });
  }

 private:
  int64_t planes_ = 0, plane_size_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_GlobalAveragePoolOp() { return std::make_unique<GlobalAveragePoolOp>(); }

}  // namespace edgecnn
