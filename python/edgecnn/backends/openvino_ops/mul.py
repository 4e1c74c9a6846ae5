OP_TYPE = "Mul"


def build(ctx):
    return ctx.ops.multiply(ctx.input(0), ctx.input(1)).output(0)
