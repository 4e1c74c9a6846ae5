OP_TYPE = "Erf"


def build(ctx):
    return ctx.ops.erf(ctx.input(0)).output(0)
