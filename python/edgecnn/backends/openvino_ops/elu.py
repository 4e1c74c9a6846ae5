OP_TYPE = "Elu"


def build(ctx):
    return ctx.ops.elu(ctx.input(0), float(ctx.attr("alpha", 1.0))).output(0)
