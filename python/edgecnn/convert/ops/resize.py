"""Resize: scales (floats) or sizes (ints) become attributes, full rank, with
mode, coordinate_transformation_mode and nearest_mode written explicitly
(opset >= 11 defaults). Supported: modes nearest and linear."""

from ._common import const_input, known_shape, normalize_axis, set_inputs, Unsupported

OP_TYPE = "Resize"

MODES = ("nearest", "linear")
KEPT = ("cubic_coeff_a", "exclude_outside")


def _full_rank(values, axes, rank, fill):
    if axes is None:
        return list(values)
    full = list(fill)
    for axis, v in zip(axes, values):
        full[axis] = v
    return full


def normalize(node, graph):
    a = node.attrs
    mode = a.get("mode", "nearest")
    if mode not in MODES:
        raise Unsupported(f"mode '{mode}' (supported: {', '.join(MODES)})")
    transform = a.get("coordinate_transformation_mode", "half_pixel")
    if transform == "tf_crop_and_resize":
        raise Unsupported("coordinate_transformation_mode 'tf_crop_and_resize'")
    if a.get("antialias", 0):
        raise Unsupported("antialias=1")
    if a.get("keep_aspect_ratio_policy", "stretch") != "stretch":
        raise Unsupported(f"keep_aspect_ratio_policy '{a['keep_aspect_ratio_policy']}'")
    shape = known_shape(graph, node.inputs[0])
    rank = len(shape)
    axes = None if "axes" not in a else [normalize_axis(int(x), rank) for x in a["axes"]]
    # Opsets 11-12 require roi and scales inputs: unused ones are empty tensors.
    scales, sizes = (const_input(graph, node, i, what) for i, what in ((2, "scales"), (3, "sizes")))
    scales, sizes = (None if v is None or v.size == 0 else v for v in (scales, sizes))
    attrs = {
        "mode": mode,
        "coordinate_transformation_mode": transform,
        "nearest_mode": a.get("nearest_mode", "round_prefer_floor"),
    }
    attrs.update((k, a[k]) for k in KEPT if k in a)
    if sizes is not None:
        attrs["sizes"] = [int(s) for s in _full_rank(sizes.reshape(-1), axes, rank, shape)]
    elif scales is not None:
        attrs["scales"] = [float(s) for s in _full_rank(scales.reshape(-1), axes, rank, [1.0] * rank)]
    else:
        raise Unsupported("has neither scales nor sizes")
    node.attrs = attrs
    set_inputs(node, node.inputs[:1])
