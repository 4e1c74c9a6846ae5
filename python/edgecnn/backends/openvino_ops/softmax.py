"""Softmax over one axis (opset-13 semantics; default -1)."""

OP_TYPE = "Softmax"


def build(ctx):
    axis = ctx.axis(ctx.attr("axis", -1), ctx.rank(0))
    return ctx.ops.softmax(ctx.input(0), axis).output(0)
