"""Size folds to an int64 constant whenever its input's shape is known."""

import math

import numpy as np

OP_TYPE = "Size"


def fold(node, graph):
    shape = graph.shape(node.inputs[0])
    return None if shape is None else [np.asarray(math.prod(shape), dtype=np.int64)]
