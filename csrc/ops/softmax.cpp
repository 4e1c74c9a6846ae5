// Softmax (opset 13+) along one axis: y = exp(x - max) / sum(exp(x - max)),
// the maximum taken over the axis for numerical stability.
//
// The input is seen as [outer, L, inner] with L the axis extent. With
// inner == 1 each softmax is a contiguous row; otherwise a block of up to
// kColumns neighbouring softmaxes (consecutive inner positions) runs
// together, so that every pass over the axis reads contiguous vectors. The
// exponentials go through the ISA-dispatched exp kernel (YOLOv8's DFL is a
// softmax over 16 bins at every anchor: scalar exp was ~9% of the network).
#include <algorithm>

#include "ops/activation.h"
#include "ops/op.h"
#include "ops/parallel_for.h"

namespace edgecnn {

namespace {

constexpr int64_t kColumns = 256;
constexpr int kLanes = 16;

class SoftmaxOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const int64_t rank = static_cast<int64_t>(x.size());
    if (rank == 0) throw FormatError("input must have rank >= 1");
    const int axis = normalize_axis(ctx.attrs.get_int("axis", -1), rank, "axis");
    outer_ = inner_ = 1;
    for (int i = 0; i < axis; ++i) outer_ *= x[i];
    for (int64_t i = axis + 1; i < rank; ++i) inner_ *= x[i];
    length_ = x[axis];
    exp_ = {{Activation::kExp, 0.0f, 0.0f}, f32_activation_kernel(ctx.isa).fn};
    ctx.output_shapes = {x};
  }

  void run(const RunContext& ctx) const override {
    const float* x = ctx.inputs[0];
    float* y = ctx.outputs[0];
    if (inner_ == 1) {
      parallel_ranges(ctx.pool, outer_, units_per_task(length_), [&](int64_t begin, int64_t end) {
        for (int64_t r = begin; r < end; ++r) softmax_row(x + r * length_, y + r * length_);
      });
      return;
    }
    const int64_t blocks = (inner_ + kColumns - 1) / kColumns;
    const int64_t width = std::min(inner_, kColumns);
    parallel_ranges(ctx.pool, outer_ * blocks, units_per_task(length_ * width), [&](int64_t begin, int64_t end) {
      for (int64_t u = begin; u < end; ++u) {
        const int64_t o = u / blocks, col0 = (u % blocks) * kColumns;
        const int64_t offset = o * length_ * inner_ + col0;
        softmax_columns(x + offset, y + offset, std::min(kColumns, inner_ - col0));
      }
    });
  }

 private:
  // The reductions keep kLanes partial results (one per lane of the widest
  // vector), which the compiler vectorizes without reassociating a sum.
  void softmax_row(const float* x, float* y) const {
    const int64_t whole = length_ / kLanes * kLanes;
    float part[kLanes];
    std::fill(part, part + kLanes, x[0]);
    for (int64_t i = 0; i < whole; i += kLanes)
      for (int j = 0; j < kLanes; ++j) part[j] = std::max(part[j], x[i + j]);
    float max = x[0];
    for (int j = 0; j < kLanes; ++j) max = std::max(max, part[j]);
    for (int64_t i = whole; i < length_; ++i) max = std::max(max, x[i]);
    for (int64_t i = 0; i < length_; ++i) y[i] = x[i] - max;
    apply_activation(exp_, y, y, static_cast<size_t>(length_));
    std::fill(part, part + kLanes, 0.0f);
    for (int64_t i = 0; i < whole; i += kLanes)
      for (int j = 0; j < kLanes; ++j) part[j] += y[i + j];
    float sum = 0.0f;
    for (int j = 0; j < kLanes; ++j) sum += part[j];
    for (int64_t i = whole; i < length_; ++i) sum += y[i];
    const float scale = 1.0f / sum;
    for (int64_t i = 0; i < length_; ++i) y[i] *= scale;
  }

  // `cols` softmaxes whose elements l are at x[l * inner_ + j], j < cols.
  void softmax_columns(const float* x, float* y, int64_t cols) const {
    float max[kColumns], sum[kColumns];
    std::copy(x, x + cols, max);
    for (int64_t l = 1; l < length_; ++l) {
      const float* xl = x + l * inner_;
      for (int64_t j = 0; j < cols; ++j) max[j] = std::max(max[j], xl[j]);
    }
    std::fill(sum, sum + cols, 0.0f);
    for (int64_t l = 0; l < length_; ++l) {
      const float* xl = x + l * inner_;
      float* yl = y + l * inner_;
      for (int64_t j = 0; j < cols; ++j) yl[j] = xl[j] - max[j];
      apply_activation(exp_, yl, yl, static_cast<size_t>(cols));
      for (int64_t j = 0; j < cols; ++j) sum[j] += yl[j];
    }
    for (int64_t j = 0; j < cols; ++j) sum[j] = 1.0f / sum[j];
    for (int64_t l = 0; l < length_; ++l) {
      float* yl = y + l * inner_;
      for (int64_t j = 0; j < cols; ++j) yl[j] *= sum[j];
    }
  }

  int64_t outer_ = 1, length_ = 1, inner_ = 1;
  ActivationParams exp_;
};

}  // namespace

std::unique_ptr<Op> make_SoftmaxOp() { return std::make_unique<SoftmaxOp>(); }

}  // namespace edgecnn
