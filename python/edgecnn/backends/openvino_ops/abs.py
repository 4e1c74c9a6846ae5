OP_TYPE = "Abs"


def build(ctx):
    return ctx.ops.abs(ctx.input(0)).output(0)
