"""Pow (fallback operator): folds on constants; a constant exponent of an
integer type becomes float32 (the file holds float32 tensors only)."""

import numpy as np

from ._common import Unsupported

OP_TYPE = "Pow"


def evaluate(node, inputs):
    base, exponent = inputs
    return [np.power(base, exponent).astype(base.dtype)]


def normalize(node, graph):
    exponent = graph.const(node.input(1))
    if exponent is not None and exponent.dtype != np.float32:
        if not (np.issubdtype(exponent.dtype, np.integer) or np.issubdtype(exponent.dtype, np.floating)):
            raise Unsupported(f"exponent of type {exponent.dtype}")
        node.inputs[1] = graph.add_const(node.inputs[1] + "_f32", exponent.astype(np.float32))
