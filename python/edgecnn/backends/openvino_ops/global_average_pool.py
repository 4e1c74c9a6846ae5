OP_TYPE = "GlobalAveragePool"


def build(ctx):
    rank = ctx.rank(0)
    return ctx.ops.reduce_mean(ctx.input(0), ctx.i64(list(range(2, rank))), True).output(0)
