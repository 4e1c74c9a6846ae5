OP_TYPE = "Unsqueeze"


def build(ctx):
    axes = ctx.ints("axes")
    if not axes:
        raise ctx.bad("attribute 'axes' is required")
    out_rank = ctx.rank(0) + len(axes)
    axes = sorted(ctx.axis(a, out_rank, "axes") for a in axes)
    return ctx.ops.unsqueeze(ctx.input(0), ctx.i64(axes)).output(0)
