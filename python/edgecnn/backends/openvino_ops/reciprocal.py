OP_TYPE = "Reciprocal"


def build(ctx):
    return ctx.ops.divide(ctx.f32(1.0), ctx.input(0)).output(0)
