OP_TYPE = "Log"


def build(ctx):
    return ctx.ops.log(ctx.input(0)).output(0)
