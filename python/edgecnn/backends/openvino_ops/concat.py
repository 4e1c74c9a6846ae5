OP_TYPE = "Concat"


def build(ctx):
    axis = ctx.axis(ctx.require("axis"), ctx.rank(0))
    return ctx.ops.concat(ctx.inputs(), axis).output(0)
