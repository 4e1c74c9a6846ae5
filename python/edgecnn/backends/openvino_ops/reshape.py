OP_TYPE = "Reshape"


def build(ctx):
    shape = ctx.ints("shape")
    if shape is None:
        raise ctx.bad("attribute 'shape' is required")
    # 0 copies a dimension unless allowzero (the converter resolves both 0 and -1).
    return ctx.ops.reshape(ctx.input(0), ctx.i64(shape), not ctx.attr("allowzero", 0)).output(0)
