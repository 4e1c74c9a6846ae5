OP_TYPE = "Mish"


def build(ctx):
    return ctx.ops.mish(ctx.input(0)).output(0)
