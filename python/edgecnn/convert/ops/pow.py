import numpy as np

OP_TYPE = "Pow"


def evaluate(node, inputs):
    base, exponent = inputs
    return [np.power(base, exponent).astype(base.dtype)]
