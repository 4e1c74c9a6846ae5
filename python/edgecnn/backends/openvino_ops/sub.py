OP_TYPE = "Sub"


def build(ctx):
    return ctx.ops.subtract(ctx.input(0), ctx.input(1)).output(0)
