"""BatchNormalization in inference mode: inputs X, scale, B, mean, var."""

OP_TYPE = "BatchNormalization"


def build(ctx):
    if ctx.attr("training_mode", 0):
        raise ctx.unsupported("training_mode=1")
    x, scale, bias, mean, var = (ctx.input(i) for i in range(5))
    return ctx.ops.batch_norm_inference(x, scale, bias, mean, var, float(ctx.attr("epsilon", 1e-5))).output(0)
