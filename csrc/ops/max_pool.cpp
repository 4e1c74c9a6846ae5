// MaxPool (ONNX opset 17, 2-D, NCHW): kernel_shape, strides, pads, dilations,
// ceil_mode. The optional Indices output is not supported; storage_order only
// affects Indices and is ignored.
#include <algorithm>
#include <cfloat>

#include "ops/parallel_for.h"
#include "ops/pool.h"

namespace edgecnn {

namespace {

class MaxPoolOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    if (ctx.node.outputs.size() == 2) throw UnsupportedError("the Indices output of MaxPool");
    geo_.prepare(ctx, true);
  }

  void run(const RunContext& ctx) const override {
    const Pool2dGeometry& g = geo_;
    const float* x = ctx.inputs[0];
    float* y = ctx.outputs[0];
    parallel_ranges(ctx.pool, g.planes, units_per_task(g.out_h * g.out_w * g.win.kh * g.win.kw),
                    [&](int64_t begin, int64_t end) {
                      // A window of padding only yields the lowest float, as in onnxruntime.
                      for (int64_t p = begin; p < end; ++p)
                        g.run_plane(x + p * g.in_h * g.in_w, y + p * g.out_h * g.out_w, -FLT_MAX,
                                    [](float acc, float v) { return std::max(acc, v); });
                    });
  }

 private:
  Pool2dGeometry geo_;
};

}  // namespace

std::unique_ptr<Op> make_MaxPoolOp() { return std::make_unique<MaxPoolOp>(); }

}  // namespace edgecnn
