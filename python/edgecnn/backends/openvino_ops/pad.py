"""Pad: `pads` (begins then ends, full rank), mode constant / reflect / edge,
constant `value`."""

OP_TYPE = "Pad"

MODES = ("constant", "reflect", "edge")


def build(ctx):
    rank = ctx.rank(0)
    mode = ctx.attr("mode", "constant")
    if mode not in MODES:
        raise ctx.unsupported(f"mode '{mode}'")
    pads = ctx.ints("pads")
    if pads is None or len(pads) != 2 * rank:
        raise ctx.bad(f"attribute 'pads' must have {2 * rank} values")
    value = ctx.f32(float(ctx.attr("value", 0.0))) if mode == "constant" else None
    return ctx.ops.pad(ctx.input(0), ctx.i64(pads[:rank]), ctx.i64(pads[rank:]), mode, value).output(0)
