// AveragePool (ONNX opset 17, 2-D, NCHW): kernel_shape, strides, pads,
// ceil_mode, count_include_pad. With count_include_pad the divisor counts the
// window's part inside the padded input; a ceil_mode window running past the
// end padding is cut there (the onnxruntime definition).
#include <algorithm>
#include <vector>

#include "ops/pool.h"

namespace edgecnn {

namespace {

class AveragePoolOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    // Opset 17 AveragePool has no dilations (they arrive in opset 19).
    geo_.prepare(ctx, false);
    geo_.fold_rows = f32_pool_fold_kernel(ctx.isa).add;
    scratch_bytes_ = geo_.scratch_bytes(ctx.num_threads);
    const int64_t include_pad = ctx.attrs.get_int("count_include_pad", 0);
    if (include_pad != 0 && include_pad != 1) throw FormatError("count_include_pad must be 0 or 1");
    const Pool2dGeometry& g = geo_;
    // Divisor of every output pixel, out_h x out_w row-major, stored inverted.
    inv_count_.resize(static_cast<size_t>(g.out_h * g.out_w));
    for (int64_t oy = 0; oy < g.out_h; ++oy)
      for (int64_t ox = 0; ox < g.out_w; ++ox) {
        const PoolTaps& r = g.rows[static_cast<size_t>(oy)];
        const PoolTaps& c = g.cols[static_cast<size_t>(ox)];
        int64_t count;
        if (include_pad) {
          const int64_t h = std::min(r.origin + g.win.kh, g.in_h + g.win.pad_bottom) - r.origin;
          const int64_t w = std::min(c.origin + g.win.kw, g.in_w + g.win.pad_right) - c.origin;
          count = h * w;
        } else {
          count = (r.end - r.begin) * (c.end - c.begin);
        }
        // With pads smaller than the kernel every window holds an input pixel.
        inv_count_[static_cast<size_t>(oy * g.out_w + ox)] = 1.0f / static_cast<float>(count);
      }
  }

  size_t scratch_bytes() const override { return scratch_bytes_; }

  void run(const RunContext& ctx) const override {
    const int64_t pixels = geo_.out_h * geo_.out_w;
    // Windows always hold an input pixel here (no dilations, pads smaller
    // than the kernel): `empty` is never used.
    geo_.run(ctx, 0.0f, 0.0f, [](float acc, float v) { return acc + v; }, [&](float* y) {
      for (int64_t i = 0; i < pixels; ++i) y[i] *= inv_count_[static_cast<size_t>(i)];
    });
  }

 private:
  Pool2dGeometry geo_;
  std::vector<float> inv_count_;
  size_t scratch_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Op> make_AveragePoolOp() { return std::make_unique<AveragePoolOp>(); }

}  // namespace edgecnn
