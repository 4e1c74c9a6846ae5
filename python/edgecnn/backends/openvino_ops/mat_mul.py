OP_TYPE = "MatMul"


def build(ctx):
    return ctx.ops.matmul(ctx.input(0), ctx.input(1), False, False).output(0)
