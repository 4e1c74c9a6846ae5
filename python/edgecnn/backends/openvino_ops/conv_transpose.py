"""ConvTranspose with explicit pads and output_padding (W: C_in × C_out/group × k...)."""

from ._conv import add_bias, window

OP_TYPE = "ConvTranspose"


def build(ctx):
    ops = ctx.ops
    x = ctx.input(0)
    w = ctx.const(1, "weights W")
    spatial = w.ndim - 2
    if "output_shape" in ctx.node.attrs:
        raise ctx.bad("output_shape must be resolved to pads by the converter")
    strides, dilations, begin, end = window(ctx, spatial)
    output_padding = ctx.ints("output_padding", [0] * spatial)
    group = int(ctx.attr("group", 1))
    if group < 1 or w.shape[0] % group:
        raise ctx.bad(f"group {group} does not divide the {w.shape[0]} input channels")
    if group == 1:
        y = ops.convolution_backprop_data(x, ctx.f32(w), strides, pads_begin=begin, pads_end=end,
                                          dilations=dilations, output_padding=output_padding)
    else:
        grouped = w.reshape((group, w.shape[0] // group) + w.shape[1:])
        y = ops.group_convolution_backprop_data(x, ctx.f32(grouped), strides, pads_begin=begin, pads_end=end,
                                                dilations=dilations, output_padding=output_padding)
    return add_bias(ctx, y.output(0), w.ndim)
