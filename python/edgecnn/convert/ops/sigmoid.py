import numpy as np

from ._common import unary

OP_TYPE = "Sigmoid"

evaluate = unary(lambda x: 1 / (1 + np.exp(-x)))


def conv_activation(node):
    return {}
