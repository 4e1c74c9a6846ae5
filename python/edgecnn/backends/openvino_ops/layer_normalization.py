"""LayerNormalization (ONNX opset 17): normalizes over axes [axis, rank);
Y = (x - mean) / sqrt(var + epsilon) · Scale + B. Only output Y."""

OP_TYPE = "LayerNormalization"


def build(ctx):
    ops = ctx.ops
    x = ctx.input(0)
    rank = ctx.rank(0)
    axis = ctx.axis(ctx.attr("axis", -1), rank)
    if len(ctx.node.outputs) != 1:
        raise ctx.unsupported("the Mean and InvStdDev outputs")
    y = ops.mvn(x, ctx.i64(list(range(axis, rank))), True, float(ctx.attr("epsilon", 1e-5)), "inside_sqrt").output(0)
    y = ops.multiply(y, ctx.input(1)).output(0)
    if ctx.has_input(2):
        y = ops.add(y, ctx.input(2)).output(0)
    return y
