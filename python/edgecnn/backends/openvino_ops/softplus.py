OP_TYPE = "Softplus"


def build(ctx):
    return ctx.ops.softplus(ctx.input(0)).output(0)
