OP_TYPE = "Identity"


def build(ctx):
    return ctx.input(0)
