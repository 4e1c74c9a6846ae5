"""The activations of fused Conv (docs/format.md, "Fused convolution") and of
the stand-alone activation ops, as OpenVINO ops."""

from __future__ import annotations

import math

# The ONNX defaults of alpha / beta, per activation.
DEFAULTS = {"Clip": (-math.inf, math.inf), "HardSigmoid": (0.2, 0.5), "LeakyRelu": (0.01, None)}


def apply(ctx, kind: str, x, alpha=None, beta=None):
    """act(x) for an activation named as in the format's Conv `activation` attribute."""
    ops = ctx.ops
    default_alpha, default_beta = DEFAULTS.get(kind, (None, None))
    alpha = default_alpha if alpha is None else float(alpha)
    beta = default_beta if beta is None else float(beta)
    if kind in ("", None):
        return x
    if kind == "Relu":
        return ops.relu(x).output(0)
    if kind == "Sigmoid":
        return ops.sigmoid(x).output(0)
    if kind == "Tanh":
        return ops.tanh(x).output(0)
    if kind == "SiLU":
        return ops.swish(x).output(0)
    if kind == "HardSwish":
        return ops.hswish(x).output(0)
    if kind == "HardSigmoid":
        return ops.hard_sigmoid(x, ctx.f32(alpha), ctx.f32(beta)).output(0)
    if kind == "LeakyRelu":
        return ops.prelu(x, ctx.f32([alpha])).output(0)
    if kind == "Clip":
        # Maximum / Minimum rather than Clamp: a bound may be infinite (absent).
        if not math.isinf(alpha):
            x = ops.maximum(x, ctx.f32(alpha)).output(0)
        if not math.isinf(beta):
            x = ops.minimum(x, ctx.f32(beta)).output(0)
        return x
    raise ctx.bad(f"unknown activation '{kind}'")
