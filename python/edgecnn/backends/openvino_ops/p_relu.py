"""PRelu: slope · x where x < 0, the slope broadcast to x as numpy does (ONNX's
unidirectional broadcast), spelled with Select so no channel rule applies."""

OP_TYPE = "PRelu"


def build(ctx):
    ops = ctx.ops
    x, slope = ctx.input(0), ctx.input(1)
    return ops.select(ops.less(x, ctx.f32(0.0)), ops.multiply(x, slope), x).output(0)
