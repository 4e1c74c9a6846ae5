OP_TYPE = "Add"


def build(ctx):
    return ctx.ops.add(ctx.input(0), ctx.input(1)).output(0)
