"""Clip: min and max become float attributes (inputs since opset 11); an omitted
bound (±inf) is an omitted attribute."""

import math

import numpy as np

from ._common import const_input, optional_input, set_inputs

OP_TYPE = "Clip"


def _bounds(node, lower, upper):
    def bound(attr, value, default):
        if attr in node.attrs:
            return float(node.attrs[attr])
        return default if value is None else float(np.asarray(value).reshape(-1)[0])

    return bound("min", lower, -math.inf), bound("max", upper, math.inf)


def evaluate(node, inputs):
    lo, hi = _bounds(node, optional_input(inputs, 1), optional_input(inputs, 2))
    x = inputs[0]
    return [np.clip(x, lo, hi).astype(x.dtype)]


def normalize(node, graph):
    lo, hi = _bounds(node, const_input(graph, node, 1, "min"), const_input(graph, node, 2, "max"))
    node.attrs = {}
    if lo != -math.inf:
        node.attrs["min"] = lo
    if hi != math.inf:
        node.attrs["max"] = hi
    set_inputs(node, node.inputs[:1])


def conv_activation(node):
    # Written even when infinite, so a fused Clip states both bounds.
    return {"activation_alpha": node.attrs.get("min", -math.inf), "activation_beta": node.attrs.get("max", math.inf)}
