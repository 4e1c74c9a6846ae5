import numpy as np

OP_TYPE = "Range"


def evaluate(node, inputs):
    start, limit, delta = inputs
    return [np.arange(start, limit, delta).astype(start.dtype)]
