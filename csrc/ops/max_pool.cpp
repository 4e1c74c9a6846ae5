// MaxPool (ONNX opset 17, 2-D, NCHW): kernel_shape, strides, pads, dilations,
// ceil_mode. The optional Indices output is not supported; storage_order only
// affects Indices and is ignored.
#include <algorithm>
#include <cfloat>
#include <limits>

#include "ops/pool.h"

namespace edgecnn {

namespace {

class MaxPoolOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    if (ctx.node.outputs.size() == 2) throw UnsupportedError("the Indices output of MaxPool");
    geo_.prepare(ctx, true);
    geo_.fold_rows = f32_pool_fold_kernel(ctx.isa).max;
    scratch_bytes_ = geo_.scratch_bytes(ctx.num_threads);
  }

  size_t scratch_bytes() const override { return scratch_bytes_; }

  void run(const RunContext& ctx) const override {
    // The window's largest value (-inf when all are -inf), NaN when it holds
    // a NaN (numpy and PyTorch; onnxruntime keeps or drops a NaN, and clamps
    // -inf at the lowest float, depending on the kernel shape). A window of
    // padding only yields the lowest float, as in onnxruntime.
    geo_.run(ctx, -std::numeric_limits<float>::infinity(), -FLT_MAX,
             [](float acc, float v) { return acc != acc || v != v ? acc + v : std::max(acc, v); }, [](float*) {});
  }

 private:
  Pool2dGeometry geo_;
  size_t scratch_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_MaxPoolOp() { return std::make_unique<MaxPoolOp>(); }

}  // namespace edgecnn
