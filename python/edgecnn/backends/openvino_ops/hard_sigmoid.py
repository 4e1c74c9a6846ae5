from ._activation import apply

OP_TYPE = "HardSigmoid"


def build(ctx):
    return apply(ctx, OP_TYPE, ctx.input(0), ctx.attr("alpha"), ctx.attr("beta"))
