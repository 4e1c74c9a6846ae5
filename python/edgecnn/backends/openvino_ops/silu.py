from ._activation import apply

OP_TYPE = "SiLU"


def build(ctx):
    return apply(ctx, OP_TYPE, ctx.input(0))
