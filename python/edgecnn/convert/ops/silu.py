"""edgecnn's SiLU, x·sigmoid(x): the converter makes it from Mul(x, Sigmoid(x))."""

import numpy as np

from ._common import unary

OP_TYPE = "SiLU"

evaluate = unary(lambda x: x / (1 + np.exp(-x)))


def conv_activation(node):
    return {}
