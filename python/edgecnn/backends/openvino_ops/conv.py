"""Conv with the edgecnn fusions: y = act(conv(x · S) + B [+ R]) [+ R]
(docs/format.md, "Fused convolution")."""

from ._activation import apply
from ._conv import add_bias, window

OP_TYPE = "Conv"


def build(ctx):
    ops = ctx.ops
    x = ctx.input(0)
    w = ctx.const(1, "weights W")
    spatial = w.ndim - 2
    if ctx.rank(0) != w.ndim:
        raise ctx.bad(f"weights of shape {list(w.shape)} for an input of shape {list(ctx.shape(0))}")
    strides, dilations, begin, end = window(ctx, spatial)
    group = int(ctx.attr("group", 1))
    if group < 1 or w.shape[0] % group:
        raise ctx.bad(f"group {group} does not divide the {w.shape[0]} output channels")
    scale = ctx.optional_input(4)
    if scale is not None:
        # The native core's contract: an ungrouped 1x1, stride 1, no padding.
        unit = w.shape[2:] == (1, 1) and list(strides) == [1, 1] and list(begin) == [0, 0] and list(end) == [0, 0]
        if not unit or group != 1:
            raise ctx.bad("a channel scale input needs an ungrouped 1x1 Conv with stride 1 and no padding")
        n, c = list(ctx.shape(0))[:2]
        if list(ctx.shape(4)) not in ([1, c, 1, 1], [n, c, 1, 1]):
            raise ctx.bad(f"channel scale input {list(ctx.shape(4))} must have shape [1 or {n}, {c}, 1, 1]")
        x = ops.multiply(x, scale).output(0)
    if group == 1:
        y = ops.convolution(x, ctx.f32(w), strides, begin, end, dilations).output(0)
    else:
        grouped = w.reshape((group, w.shape[0] // group) + w.shape[1:])
        y = ops.group_convolution(x, ctx.f32(grouped), strides, begin, end, dilations).output(0)
    y = add_bias(ctx, y, w.ndim)
    residual = ctx.optional_input(3)
    after = int(ctx.attr("residual_after_activation", 0))
    if residual is not None and not after:
        y = ops.add(y, residual).output(0)
    y = apply(ctx, ctx.attr("activation", ""), y, ctx.attr("activation_alpha"), ctx.attr("activation_beta"))
    if residual is not None and after:
        y = ops.add(y, residual).output(0)
    return y
