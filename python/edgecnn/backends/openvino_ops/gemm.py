"""Gemm: Y = alpha · A' · B' + beta · C (C broadcast to Y)."""

OP_TYPE = "Gemm"


def build(ctx):
    ops = ctx.ops
    y = ops.matmul(ctx.input(0), ctx.input(1), bool(ctx.attr("transA", 0)), bool(ctx.attr("transB", 0))).output(0)
    alpha, beta = float(ctx.attr("alpha", 1.0)), float(ctx.attr("beta", 1.0))
    if alpha != 1.0:
        y = ops.multiply(y, ctx.f32(alpha)).output(0)
    if ctx.has_input(2) and beta != 0.0:
        c = ctx.optional_const(2)
        if c is not None:
            c = ctx.f32(c * beta)
        else:
            c = ctx.input(2) if beta == 1.0 else ops.multiply(ctx.input(2), ctx.f32(beta)).output(0)
        y = ops.add(y, c).output(0)
    return y
