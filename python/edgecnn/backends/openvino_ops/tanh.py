from ._activation import apply

OP_TYPE = "Tanh"


def build(ctx):
    return apply(ctx, OP_TYPE, ctx.input(0))
