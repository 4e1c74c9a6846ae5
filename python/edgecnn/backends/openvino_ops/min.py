"""Min of one or more tensors (numpy broadcasting)."""

from ._common import fold_inputs

OP_TYPE = "Min"


def build(ctx):
    return fold_inputs(ctx, ctx.ops.minimum)
