"""Clip: bounds are the float attributes min / max; an absent one is ±inf."""

from ._activation import apply

OP_TYPE = "Clip"


def build(ctx):
    return apply(ctx, "Clip", ctx.input(0), ctx.attr("min"), ctx.attr("max"))
