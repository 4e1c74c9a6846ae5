// Transpose: output axis i is input axis perm[i] (default: the axes reversed).
#include "ops/op.h"
#include "ops/strided_gather.h"

namespace edgecnn {

namespace {

class TransposeOp final : public Op {
 public:
  void prepare(PrepareContext& ctx) override {
    ctx.expect_inputs(1, 1, 1);
    ctx.expect_outputs(1);
    const Shape& x = ctx.input_shapes[0];
    const size_t rank = x.size();
    std::vector<int64_t> perm = ctx.attrs.get_ints("perm");
    if (!ctx.attrs.has("perm"))
      for (size_t i = 0; i < rank; ++i) perm.push_back(static_cast<int64_t>(rank - 1 - i));
    if (perm.size() != rank)
      throw FormatError("perm has " + std::to_string(perm.size()) + " entries for an input of rank " +
                        std::to_string(rank));
    std::vector<bool> seen(rank, false);
    for (int64_t p : perm) {
      if (p < 0 || p >= static_cast<int64_t>(rank) || seen[p])
        throw FormatError("perm is not a permutation of the " + std::to_string(rank) + " input axes");
      seen[p] = true;
    }
    const std::vector<int64_t> in_strides = dense_strides(x);
    Shape out(rank);
    std::vector<int64_t> strides(rank);
    for (size_t i = 0; i < rank; ++i) {
      out[i] = x[perm[i]];
      strides[i] = in_strides[perm[i]];
    }
    gather_.plan(out, strides, 0);
    ctx.output_shapes = {out};
  }

  void run(const RunContext& ctx) const override { gather_.run(ctx.inputs[0], ctx.outputs[0], ctx.pool); }

 private:
  StridedGather gather_;
};

}  // namespace

std::unique_ptr<Op> make_TransposeOp() { return std::make_unique<TransposeOp>(); }

}  // namespace edgecnn
