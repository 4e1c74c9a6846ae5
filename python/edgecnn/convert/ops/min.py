import functools

import numpy as np

OP_TYPE = "Min"


def evaluate(node, inputs):
    return [functools.reduce(np.minimum, inputs)]
