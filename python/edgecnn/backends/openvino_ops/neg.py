OP_TYPE = "Neg"


def build(ctx):
    return ctx.ops.negative(ctx.input(0)).output(0)
