// Base of the operators whose output holds the bytes of input 0 unchanged,
// only under another shape (Reshape, Flatten, Squeeze, Unsqueeze, Identity).
// The executor normally gives the output the input's buffer and skips run();
// run() copies for the case it cannot (the input is a constant).
#pragma once
#include <cstring>

#include "ops/op.h"

namespace edgecnn {

class ViewOp : public Op {
 public:
  bool is_view() const override { return true; }
  void run(const RunContext& ctx) const override {
    std::memcpy(ctx.outputs[0], ctx.inputs[0], static_cast<size_t>(count_) * sizeof(float));
  }

 protected:
  // Sets the output shape after checking it holds as many elements as the input.
  void set_output(PrepareContext& ctx, const Shape& out) {
    count_ = num_elements(ctx.input_shapes[0]);
    if (num_elements(out) != count_)
      throw FormatError("cannot view " + shape_str(ctx.input_shapes[0]) + " as " + shape_str(out));
    ctx.output_shapes = {out};
  }

 private:
  int64_t count_ = 0;
};

}  // namespace edgecnn
