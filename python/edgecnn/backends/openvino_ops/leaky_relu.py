from ._activation import apply

OP_TYPE = "LeakyRelu"


def build(ctx):
    return apply(ctx, OP_TYPE, ctx.input(0), ctx.attr("alpha"))
