"""Max of one or more tensors (numpy broadcasting)."""

from ._common import fold_inputs

OP_TYPE = "Max"


def build(ctx):
    return fold_inputs(ctx, ctx.ops.maximum)
