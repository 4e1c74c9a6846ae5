"""Squeeze: axes (input since opset 13; all unit dimensions when omitted)
become an explicit, non-negative ints attribute."""

import numpy as np

from ._common import const_input, ints_attr_or_input, known_shape, normalize_axis, optional_input, set_inputs, Unsupported

OP_TYPE = "Squeeze"


def _axes(node, axes_value, shape):
    axes = ints_attr_or_input(node, "axes", axes_value)
    if axes is None:
        return [i for i, d in enumerate(shape) if d == 1]
    axes = sorted(normalize_axis(a, len(shape)) for a in axes)
    if any(shape[a] != 1 for a in axes):
        raise Unsupported(f"squeezes a dimension that is not 1 (axes {axes}, shape {list(shape)})")
    return axes


def evaluate(node, inputs):
    x = inputs[0]
    return [np.squeeze(x, axis=tuple(_axes(node, optional_input(inputs, 1), x.shape)))]


def normalize(node, graph):
    axes = _axes(node, const_input(graph, node, 1, "axes"), known_shape(graph, node.inputs[0]))
    node.attrs = {"axes": axes}
    set_inputs(node, node.inputs[:1])
