OP_TYPE = "Div"


def build(ctx):
    return ctx.ops.divide(ctx.input(0), ctx.input(1)).output(0)
