"""Gelu (ONNX opset 20): approximate "none" (erf) or "tanh"."""

OP_TYPE = "Gelu"

MODES = {"none": "erf", "tanh": "tanh"}


def build(ctx):
    approximate = ctx.attr("approximate", "none")
    if approximate not in MODES:
        raise ctx.bad(f"unknown approximate '{approximate}'")
    return ctx.ops.gelu(ctx.input(0), MODES[approximate]).output(0)
