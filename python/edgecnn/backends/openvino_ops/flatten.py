import math

OP_TYPE = "Flatten"


def build(ctx):
    shape = ctx.shape(0)
    axis = int(ctx.attr("axis", 1))
    if not -len(shape) <= axis <= len(shape):
        raise ctx.bad(f"axis {axis} is out of range for rank {len(shape)}")
    axis = axis + len(shape) if axis < 0 else axis
    target = [math.prod(shape[:axis]), math.prod(shape[axis:])]
    return ctx.ops.reshape(ctx.input(0), ctx.i64(target), False).output(0)
