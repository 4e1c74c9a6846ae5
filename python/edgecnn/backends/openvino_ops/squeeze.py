OP_TYPE = "Squeeze"


def build(ctx):
    shape = ctx.shape(0)
    axes = ctx.ints("axes")
    if not axes:
        axes = [i for i, d in enumerate(shape) if d == 1]
    axes = [ctx.axis(a, len(shape), "axes") for a in axes]
    if any(shape[a] != 1 for a in axes):
        raise ctx.bad(f"squeezes a dimension that is not 1 (axes {axes}, shape {list(shape)})")
    if not axes:
        return ctx.input(0)
    return ctx.ops.squeeze(ctx.input(0), ctx.i64(axes)).output(0)
