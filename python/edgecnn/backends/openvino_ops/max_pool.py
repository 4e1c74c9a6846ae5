from ._pool import window

OP_TYPE = "MaxPool"


def build(ctx):
    if len(ctx.node.outputs) != 1:
        raise ctx.unsupported("the Indices output")
    kernel, strides, dilations, begin, end, ceil_mode = window(ctx)
    # "ceil_torch" drops a last window that would start in the end padding,
    # as onnxruntime, PyTorch and the native core do.
    return ctx.ops.max_pool(ctx.input(0), strides, dilations, begin, end, kernel,
                            rounding_type="ceil_torch" if ceil_mode else "floor", auto_pad="explicit").output(0)
