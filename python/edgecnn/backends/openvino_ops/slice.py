"""Slice with ONNX semantics (OpenVINO Slice-8 follows them): starts, ends,
axes (default 0..n-1) and steps (default 1) are attributes."""

OP_TYPE = "Slice"


def build(ctx):
    starts, ends = ctx.ints("starts"), ctx.ints("ends")
    if starts is None or ends is None or len(starts) != len(ends):
        raise ctx.bad("starts and ends are required and must have the same length")
    rank = ctx.rank(0)
    axes = [ctx.axis(a, rank, "axes") for a in ctx.ints("axes", range(len(starts)))]
    steps = ctx.ints("steps", [1] * len(starts))
    if len(axes) != len(starts) or len(steps) != len(starts) or 0 in steps:
        raise ctx.bad("axes and steps must match starts, and steps must not be 0")
    return ctx.ops.slice(ctx.input(0), ctx.i64(starts), ctx.i64(ends), ctx.i64(steps), ctx.i64(axes)).output(0)
