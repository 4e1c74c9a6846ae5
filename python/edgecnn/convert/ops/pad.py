"""Pad: pads (input since opset 11; per `axes` since 18) become a full-rank
ints attribute and the constant value a float attribute `value`."""

import numpy as np

from ._common import const_input, ints_attr_or_input, known_shape, normalize_axis, set_inputs, Unsupported

OP_TYPE = "Pad"

MODES = ("constant", "reflect", "edge")


def normalize(node, graph):
    mode = node.attrs.get("mode", "constant")
    if mode not in MODES:
        raise Unsupported(f"mode '{mode}' (supported: {', '.join(MODES)})")
    rank = len(known_shape(graph, node.inputs[0]))
    pads = ints_attr_or_input(node, "pads", const_input(graph, node, 1, "pads"))
    if pads is None:
        raise Unsupported("has no pads")
    axes = const_input(graph, node, 3, "axes")
    if axes is not None:
        axes = [normalize_axis(int(a), rank) for a in axes.reshape(-1)]
        full = [0] * 2 * rank
        for i, axis in enumerate(axes):
            full[axis], full[rank + axis] = pads[i], pads[len(axes) + i]
        pads = full
    if len(pads) != 2 * rank:
        raise Unsupported(f"{len(pads)} pads for rank {rank}")
    value = const_input(graph, node, 2, "constant_value")
    value = float(node.attrs.get("value", 0.0)) if value is None else float(np.asarray(value).reshape(-1)[0])
    node.attrs = {"mode": mode, "pads": pads}
    if mode == "constant":
        node.attrs["value"] = value
    set_inputs(node, node.inputs[:1])
