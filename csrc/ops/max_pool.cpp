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
    const float* x_all = ctx.inputs[0];
    float* y_all = ctx.outputs[0];
    parallel_ranges(ctx.pool, g.planes, units_per_task(g.out_h * g.out_w * g.win.kh * g.win.kw),
                    [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) {
        const float* x = x_all + p * g.in_h * g.in_w;
        float* y = y_all + p * g.out_h * g.out_w;
        for (const PoolTaps& r : g.rows) {
          for (const PoolTaps& c : g.cols) {
            // A window that holds only padding yields the lowest float, as in onnxruntime.
            float m = -FLT_MAX;
            for (int64_t ky = r.begin; ky < r.end; ++ky) {
              const float* row = x + (r.origin + ky * g.win.dh) * g.in_w;
              for (int64_t kx = c.begin; kx < c.end; ++kx) m = std::max(m, row[c.origin + kx * g.win.dw]);
            }
            *y++ = m;
          }
        }
      }
    });
  }

 private:
  Pool2dGeometry geo_;
};

}  // namespace

std::unique_ptr<Op> make_MaxPoolOp() { return std::make_unique<MaxPoolOp>(); }

}  // namespace edgecnn
