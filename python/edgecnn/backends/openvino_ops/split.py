"""Split along `axis` into the sizes of `split` (equal parts when absent)."""

OP_TYPE = "Split"


def build(ctx):
    x = ctx.input(0)
    shape = ctx.shape(0)
    axis = ctx.axis(ctx.attr("axis", 0), len(shape))
    count = len(ctx.node.outputs)
    sizes = ctx.ints("split")
    if not sizes:
        if shape[axis] % count:
            raise ctx.bad(f"dimension {shape[axis]} does not split into {count} equal parts")
        sizes = [shape[axis] // count] * count
    if len(sizes) != count or sum(sizes) != shape[axis] or min(sizes) < 1:
        raise ctx.bad(f"split sizes {sizes} do not cut dimension {shape[axis]} into {count} parts")
    node = ctx.ops.variadic_split(x, ctx.i64(axis), ctx.i64(sizes))
    return [node.output(i) for i in range(count)]
