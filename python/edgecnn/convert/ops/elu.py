"""Elu (fallback operator); alpha written explicitly."""

import numpy as np

OP_TYPE = "Elu"


def _alpha(node):
    return float(node.attrs.get("alpha", 1.0))


def evaluate(node, inputs):
    x, alpha = inputs[0], _alpha(node)
    return [np.where(x > 0, x, alpha * (np.exp(x) - 1)).astype(x.dtype)]


def normalize(node, graph):
    node.attrs = {"alpha": _alpha(node)}
