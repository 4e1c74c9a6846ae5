import numpy as np

from ._common import unary

OP_TYPE = "LeakyRelu"

DEFAULT_ALPHA = 0.01


def evaluate(node, inputs):
    alpha = float(node.attrs.get("alpha", DEFAULT_ALPHA))
    return unary(lambda x: np.where(x >= 0, x, alpha * x))(node, inputs)


def conv_activation(node):
    return {"activation_alpha": float(node.attrs.get("alpha", DEFAULT_ALPHA))}
