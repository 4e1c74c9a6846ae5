import numpy as np

from ._common import unary

OP_TYPE = "Relu"

evaluate = unary(lambda x: np.maximum(x, 0))


def conv_activation(node):
    return {}
