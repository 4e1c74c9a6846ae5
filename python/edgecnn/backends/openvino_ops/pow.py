OP_TYPE = "Pow"


def build(ctx):
    return ctx.ops.power(ctx.input(0), ctx.input(1)).output(0)
