import numpy as np

OP_TYPE = "Where"


def evaluate(node, inputs):
    condition, x, y = inputs
    return [np.where(condition, x, y)]
