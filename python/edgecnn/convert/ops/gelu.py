"""Gelu (ONNX opset 20; fallback operator): approximate "none" or "tanh",
written explicitly."""

import math

import numpy as np

from ._common import Unsupported

OP_TYPE = "Gelu"


def _approximate(node):
    approximate = node.attrs.get("approximate", "none")
    if approximate not in ("none", "tanh"):
        raise Unsupported(f"approximate '{approximate}'")
    return approximate


def evaluate(node, inputs):
    x = inputs[0].astype(np.float64)
    if _approximate(node) == "tanh":
        y = 0.5 * x * (1 + np.tanh(math.sqrt(2 / math.pi) * (x + 0.044715 * x**3)))
    else:
        y = 0.5 * x * (1 + np.vectorize(math.erf)(x / math.sqrt(2)))
    return [y.astype(inputs[0].dtype)]


def normalize(node, graph):
    node.attrs = {"approximate": _approximate(node)}
