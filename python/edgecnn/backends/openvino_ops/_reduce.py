"""Shared by the Reduce* mappers."""


def reduce(ctx, fn):
    rank = ctx.rank(0)
    axes = ctx.ints("axes")
    if not axes:
        if ctx.attr("noop_with_empty_axes", 0):
            return ctx.input(0)
        axes = list(range(rank))
    axes = sorted(ctx.axis(a, rank, "axes") for a in axes)
    return fn(ctx.input(0), ctx.i64(axes), bool(ctx.attr("keepdims", 1))).output(0)
