// MatMul with numpy semantics: a 1-D operand is promoted to a matrix (A: a
// row, B: a column) and the promoted axis is dropped from the output; the
// leading (batch) axes broadcast. A constant right operand is packed at load;
// an activation one (attention: activation x activation) is read in place.
// See ops/gemm_driver.h for the layouts.
#include "core/aligned_buffer.h"
#include "ops/gemm_driver.h"
#include "ops/op.h"

namespace edgecnn {

namespace {

class MatMulOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(2, 2, 2);
    ctx.expect_outputs(1);
    const Shape& a = ctx.input_shapes[0];
    const Shape& b = ctx.input_shapes[1];
    if (a.empty() || b.empty()) throw FormatError("MatMul operands must have rank >= 1");
    const bool a_vector = a.size() == 1, b_vector = b.size() == 1;
    GemmGeometry g;
    g.m = a_vector ? 1 : a[a.size() - 2];
    g.k = a.back();
    g.n = b_vector ? 1 : b.back();
    const int64_t kb = b_vector ? b[0] : b[b.size() - 2];
    if (kb != g.k)
      throw FormatError("operands " + shape_str(a) + " and " + shape_str(b) + " have different inner dimensions");
    g.a_row = g.k;
    g.a_col = 1;
    g.ldb = g.n;

    // Batch axes: all but the last two (none for a vector), right-aligned.
    const Shape a_batch(a.begin(), a.end() - (a_vector ? 1 : 2));
    const Shape b_batch(b.begin(), b.end() - (b_vector ? 1 : 2));
    const size_t rank = std::max(a_batch.size(), b_batch.size());
    Shape out;
    int64_t a_matrices = 1, b_matrices = 1;
    for (size_t i = 0; i < rank; ++i) {
      const int64_t da = i + a_batch.size() >= rank ? a_batch[i + a_batch.size() - rank] : 1;
      const int64_t db = i + b_batch.size() >= rank ? b_batch[i + b_batch.size() - rank] : 1;
      if (da != db && da != 1 && db != 1)
        throw FormatError("batch dimensions of " + shape_str(a) + " and " + shape_str(b) + " do not broadcast");
      out.push_back(std::max(da, db));
      a_matrices *= da;
      b_matrices *= db;
    }
    const Shape batch_shape = out;
    if (!a_vector) out.push_back(g.m);
    if (!b_vector) out.push_back(g.n);
    ctx.output_shapes = {out};

    const F32GemmKernel& kernel = f32_gemm_kernel(ctx.isa);
    const float* b_const = ctx.constant[1];
    const int64_t b_matrix_floats = b_const ? packed_right_floats(g.k, g.n, kernel.nr) : g.k * g.n;
    if (b_matrices == 1) {
      // One right matrix for every batch: the batches of A stack into one
      // (batch * M) x K matrix (A is dense), and those of Y likewise.
      g.m *= a_matrices;
    } else {
      // Per batch axis, strides in floats of dense A and of B (dense or packed).
      g.batch_rank = static_cast<int>(rank);
      int64_t sa = g.m * g.k, sb = b_matrix_floats;
      for (int d = static_cast<int>(rank) - 1; d >= 0; --d) {
        const size_t i = static_cast<size_t>(d);
        const int64_t da = i + a_batch.size() >= rank ? a_batch[i + a_batch.size() - rank] : 1;
        const int64_t db = i + b_batch.size() >= rank ? b_batch[i + b_batch.size() - rank] : 1;
        g.batch_dims[d] = batch_shape[i];
        g.a_batch_stride[d] = da == 1 ? 0 : sa;
        g.b_batch_stride[d] = db == 1 ? 0 : sb;
        sa *= da;
        sb *= db;
      }
    }
    if (b_const != nullptr) {
      packed_b_ = AlignedBuffer(static_cast<size_t>(b_matrices * b_matrix_floats) * sizeof(float));
      for (int64_t i = 0; i < b_matrices; ++i)
        pack_right_operand(b_const + i * g.k * g.n, g.n, 1, g.k, g.n, kernel.nr,
                           packed_b_.floats() + i * b_matrix_floats);
      g.b_packed = true;
    }
    gemm_.plan(ctx.isa, g, ctx.num_threads);
  }

  size_t scratch_bytes() const override { return gemm_.scratch_bytes(); }

  void run(const RunContext& ctx) const override {
    GemmOperands ops;
    ops.a = ctx.inputs[0];
    ops.b = packed_b_.data() ? packed_b_.floats() : ctx.inputs[1];
    ops.y = ctx.outputs[0];
    gemm_.run(ops, ctx.scratch, ctx.pool);
  }

 private:
  BatchedGemm gemm_;
  AlignedBuffer packed_b_;
};

}  // namespace

std::unique_ptr<Op> make_MatMulOp() { return std::make_unique<MatMulOp>(); }

}  // namespace edgecnn
