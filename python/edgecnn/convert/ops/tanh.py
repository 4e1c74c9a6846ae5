import numpy as np

from ._common import unary

OP_TYPE = "Tanh"

evaluate = unary(np.tanh)


def conv_activation(node):
    return {}
