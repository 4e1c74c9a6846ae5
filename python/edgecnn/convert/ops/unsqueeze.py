"""Unsqueeze: axes (input since opset 13) become an explicit, non-negative ints
attribute (axes index the output)."""

import numpy as np

from ._common import const_input, ints_attr_or_input, known_shape, normalize_axis, optional_input, set_inputs, Unsupported

OP_TYPE = "Unsqueeze"


def _axes(node, axes_value, rank):
    axes = ints_attr_or_input(node, "axes", axes_value)
    if axes is None:
        raise Unsupported("has no axes")
    out_rank = rank + len(axes)
    return sorted(normalize_axis(a, out_rank) for a in axes)


def evaluate(node, inputs):
    x = inputs[0]
    return [np.expand_dims(x, tuple(_axes(node, optional_input(inputs, 1), x.ndim)))]


def normalize(node, graph):
    axes = _axes(node, const_input(graph, node, 1, "axes"), len(known_shape(graph, node.inputs[0])))
    node.attrs = {"axes": axes}
    set_inputs(node, node.inputs[:1])
