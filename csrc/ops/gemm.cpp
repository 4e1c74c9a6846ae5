// Gemm: Y = alpha * A' · B' + beta * C, with A' = transA ? A^T : A (M x K),
// B' = transB ? B^T : B (K x N) and C broadcast to [M, N]. A constant B is
// packed at load; a non-constant B is read in place, or packed into scratch
// when transposed. See ops/gemm_driver.h for the layouts.
#include <algorithm>

#include "core/aligned_buffer.h"
#include "ops/gemm_driver.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

class GemmOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 3, 2);
    ctx.expect_outputs(1);
    const Shape& a = ctx.input_shapes[0];
    const Shape& b = ctx.input_shapes[1];
    if (a.size() != 2) throw FormatError("A must be 2-D, is " + shape_str(a));
    if (b.size() != 2) throw FormatError("B must be 2-D, is " + shape_str(b));
    const int64_t trans_a = ctx.attrs.get_int("transA", 0), trans_b = ctx.attrs.get_int("transB", 0);
    if ((trans_a != 0 && trans_a != 1) || (trans_b != 0 && trans_b != 1))
      throw FormatError("transA and transB must be 0 or 1");
    alpha_ = ctx.attrs.get_float("alpha", 1.0f);
    beta_ = ctx.attrs.get_float("beta", 1.0f);
    GemmGeometry g;
    g.m = trans_a ? a[1] : a[0];
    g.k = trans_a ? a[0] : a[1];
    g.n = trans_b ? b[0] : b[1];
    const int64_t kb = trans_b ? b[1] : b[0];
    if (kb != g.k)
      throw FormatError("A " + shape_str(a) + (trans_a ? " (transposed)" : "") + " and B " + shape_str(b) +
                        (trans_b ? " (transposed)" : "") + " have different inner dimensions");
    g.a_row = trans_a ? 1 : g.k;
    g.a_col = trans_a ? g.m : 1;
    // B'(kk, j) = b[kk * b_row + j * b_col].
    b_row_ = trans_b ? 1 : g.n;
    b_col_ = trans_b ? g.k : 1;
    g.ldb = g.n;

    has_c_ = ctx.input_count() > 2 && ctx.present[2];
    if (has_c_) {
      const Shape& c = ctx.input_shapes[2];
      if (c.size() > 2) throw FormatError("C must have rank <= 2, is " + shape_str(c));
      const int64_t cm = c.size() == 2 ? c[0] : 1;
      const int64_t cn = c.empty() ? 1 : c.back();
      if ((cm != 1 && cm != g.m) || (cn != 1 && cn != g.n))
        throw FormatError("C " + shape_str(c) + " does not broadcast to [" + std::to_string(g.m) + ", " +
                          std::to_string(g.n) + "]");
      c_col_ = cn == 1 ? 0 : 1;
      c_row_ = cm == 1 ? 0 : cn;
    }

    const F32GemmKernel& kernel = f32_gemm_kernel(ctx.isa);
    const float* b_const = ctx.constant[1];
    const int64_t b_floats = packed_right_floats(g.k, g.n, kernel.nr);
    if (b_const != nullptr) {
      packed_b_ = AlignedBuffer(static_cast<size_t>(b_floats) * sizeof(float));
      pack_right_operand(b_const, b_row_, b_col_, g.k, g.n, kernel.nr, packed_b_.floats());
      g.b_packed = true;
    } else {
      pack_at_run_ = trans_b != 0;
      g.b_packed = pack_at_run_;
    }
    n_ = g.n;
    k_ = g.k;
    gemm_.plan(ctx.isa, g, ctx.num_threads);
    b_scratch_bytes_ = pack_at_run_ ? round_up(static_cast<size_t>(b_floats) * sizeof(float), 64) : 0;
    ctx.output_shapes = {Shape{g.m, g.n}};
  }

  // Scratch: [B packed at run (transposed activation B only)][per-thread A panels].
  size_t scratch_bytes() const override { return b_scratch_bytes_ + gemm_.scratch_bytes(); }

  void run(const RunContext& ctx) const override {
    GemmOperands ops;
    ops.a = ctx.inputs[0];
    ops.b = packed_b_.data() ? packed_b_.floats() : ctx.inputs[1];
    ops.y = ctx.outputs[0];
    if (has_c_) {
      ops.c = ctx.inputs[2];
      ops.c_row = c_row_;
      ops.c_col = c_col_;
    }
    ops.alpha = alpha_;
    ops.beta = beta_;
    float* panels = reinterpret_cast<float*>(reinterpret_cast<uint8_t*>(ctx.scratch) + b_scratch_bytes_);
    if (pack_at_run_) {
      const int nr = gemm_.kernel().nr;
      ctx.pool.run((n_ + nr - 1) / nr, [&](int64_t q, int) {
        const int64_t col0 = q * nr;
        pack_right_operand(ctx.inputs[1] + col0 * b_col_, b_row_, b_col_, k_, std::min<int64_t>(nr, n_ - col0), nr,
                           ctx.scratch + q * k_ * nr);
      });
      ops.b = ctx.scratch;
    }
    gemm_.run(ops, panels, ctx.pool);
  }

 private:
  BatchedGemm gemm_;
  AlignedBuffer packed_b_;
  int64_t n_ = 0, k_ = 0, b_row_ = 0, b_col_ = 0;
  bool pack_at_run_ = false;
  size_t b_scratch_bytes_ = 0;
  bool has_c_ = false;
  int64_t c_row_ = 0, c_col_ = 0;
  float alpha_ = 1.0f, beta_ = 1.0f;
};

}  // namespace

std::unique_ptr<Op> make_GemmOp() { return std::make_unique<GemmOp>(); }

}  // namespace edgecnn
