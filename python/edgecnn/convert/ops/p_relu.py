import numpy as np

OP_TYPE = "PRelu"


def evaluate(node, inputs):
    x, slope = inputs
    return [np.where(x >= 0, x, x * slope).astype(x.dtype)]
