"""ReduceMean: axes and keepdims are attributes (the converter turns the opset-18
axes input into one); no axes means every axis."""

from ._reduce import reduce

OP_TYPE = "ReduceMean"


def build(ctx):
    return reduce(ctx, ctx.ops.reduce_mean)
