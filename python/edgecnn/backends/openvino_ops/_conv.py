"""Shared by Conv and ConvTranspose: window attributes and the bias."""

import numpy as np


def window(ctx, spatial: int):
    """strides, dilations, pads_begin, pads_end (ONNX defaults when absent)."""
    auto_pad = ctx.attr("auto_pad", "NOTSET")
    if auto_pad != "NOTSET":
        raise ctx.bad(f"auto_pad '{auto_pad}' must be resolved to explicit pads by the converter")
    strides = ctx.ints("strides", [1] * spatial)
    dilations = ctx.ints("dilations", [1] * spatial)
    pads = ctx.ints("pads", [0] * 2 * spatial)
    if len(strides) != spatial or len(dilations) != spatial or len(pads) != 2 * spatial:
        raise ctx.bad(f"strides, dilations and pads must have {spatial}, {spatial} and {2 * spatial} values")
    return strides, dilations, pads[:spatial], pads[spatial:]


def add_bias(ctx, y, rank: int):
    """y + B, B (input 2, optional) broadcast along axis 1."""
    if not ctx.has_input(2):
        return y
    shape = [1, -1] + [1] * (rank - 2)
    value = ctx.optional_const(2)
    if value is not None:
        bias = ctx.f32(np.asarray(value).reshape([1, value.size] + [1] * (rank - 2)))
    else:
        bias = ctx.ops.reshape(ctx.input(2), ctx.i64(shape), False)
    return ctx.ops.add(y, bias).output(0)
