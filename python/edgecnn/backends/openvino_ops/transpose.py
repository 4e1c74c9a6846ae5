OP_TYPE = "Transpose"


def build(ctx):
    rank = ctx.rank(0)
    perm = ctx.ints("perm", list(reversed(range(rank))))
    if sorted(perm) != list(range(rank)):
        raise ctx.bad(f"perm {perm} is not a permutation of {rank} axes")
    return ctx.ops.transpose(ctx.input(0), ctx.i64(perm)).output(0)
