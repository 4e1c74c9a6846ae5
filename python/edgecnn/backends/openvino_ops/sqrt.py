OP_TYPE = "Sqrt"


def build(ctx):
    return ctx.ops.sqrt(ctx.input(0)).output(0)
