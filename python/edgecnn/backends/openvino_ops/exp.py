OP_TYPE = "Exp"


def build(ctx):
    return ctx.ops.exp(ctx.input(0)).output(0)
