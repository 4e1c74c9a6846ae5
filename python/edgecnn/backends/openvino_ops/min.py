"""Min of one or more tensors (numpy broadcasting)."""

OP_TYPE = "Min"


def build(ctx):
    inputs = ctx.inputs()
    if not inputs:
        raise ctx.bad("needs at least one input")
    y = inputs[0]
    for x in inputs[1:]:
        y = ctx.ops.minimum(y, x).output(0)
    return y
