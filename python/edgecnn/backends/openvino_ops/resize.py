"""Resize (ONNX opset 17 semantics) as Interpolate-11: mode nearest / linear
(ONNX's linear is OpenVINO's "linear_onnx") / cubic; scales (floats) or sizes
(ints), one per axis, as attributes."""

import math

import numpy as np

from ._common import static_shape

OP_TYPE = "Resize"

MODES = {"nearest": "nearest", "linear": "linear_onnx", "cubic": "cubic"}
# ONNX name -> OpenVINO name
COORDINATE_MODES = {"half_pixel": "half_pixel", "asymmetric": "asymmetric", "align_corners": "align_corners",
                    "pytorch_half_pixel": "pytorch_half_pixel", "tf_half_pixel_for_nearest": "tf_half_pixel_for_nn"}
NEAREST_MODES = ("round_prefer_floor", "round_prefer_ceil", "floor", "ceil")


def build(ctx):
    shape = ctx.shape(0)
    rank = len(shape)
    mode = ctx.attr("mode", "nearest")
    transform = ctx.attr("coordinate_transformation_mode", "half_pixel")
    nearest = ctx.attr("nearest_mode", "round_prefer_floor")
    if mode not in MODES:
        raise ctx.unsupported(f"mode '{mode}'")
    if transform not in COORDINATE_MODES:
        raise ctx.unsupported(f"coordinate_transformation_mode '{transform}'")
    if nearest not in NEAREST_MODES:
        raise ctx.bad(f"unknown nearest_mode '{nearest}'")
    for name, allowed in (("antialias", 0), ("exclude_outside", 0)):
        if ctx.attr(name, allowed) != allowed:
            raise ctx.unsupported(f"{name}={ctx.attr(name)}")
    if ctx.attr("keep_aspect_ratio_policy", "stretch") != "stretch":
        raise ctx.unsupported(f"keep_aspect_ratio_policy '{ctx.attr('keep_aspect_ratio_policy')}'")
    if "axes" in ctx.node.attrs:
        raise ctx.bad("the axes attribute is not allowed (scales / sizes cover every axis)")
    scales, sizes = ctx.attr("scales"), ctx.ints("sizes")
    if (scales is None) == (sizes is None):
        raise ctx.bad("exactly one of the attributes scales and sizes must be given")
    if scales is not None:
        scales = np.asarray(scales, dtype=np.float32).reshape(-1)
        if scales.size != rank or not np.all(np.isfinite(scales)) or np.any(scales <= 0):
            raise ctx.bad(f"scales must be {rank} positive finite values")
        # floor(in · scale) in float32, as onnxruntime and the native core compute it.
        out = [int(math.floor(np.float32(s) * np.float32(d))) for s, d in zip(scales, shape)]
        axes = [i for i in range(rank) if scales[i] != 1.0]
    else:
        if len(sizes) != rank or min(sizes) < 1:
            raise ctx.bad(f"sizes must be {rank} values >= 1")
        out = list(sizes)
        axes = [i for i in range(rank) if sizes[i] != shape[i]]
    if min(out) < 1:
        raise ctx.bad(f"the output {out} would be empty")
    if tuple(out) == tuple(shape):
        return ctx.input(0)  # onnxruntime (and the native core) copy the input then
    if scales is not None:
        operand, calculation = ctx.f32(scales[axes]), "scales"
    else:
        operand, calculation = ctx.i64([sizes[i] for i in axes]), "sizes"
    y = ctx.ops.interpolate(ctx.input(0), operand, MODES[mode], calculation,
                            coordinate_transformation_mode=COORDINATE_MODES[transform], nearest_mode=nearest,
                            cube_coeff=float(ctx.attr("cubic_coeff_a", -0.75)), axes=ctx.i64(axes)).output(0)
    if static_shape(y) != tuple(out):
        raise ctx.unsupported(f"OpenVINO computes the output shape {list(static_shape(y))}, ONNX {out}")
    return y
