import numpy as np

from ._common import unary

OP_TYPE = "HardSigmoid"

DEFAULT_ALPHA, DEFAULT_BETA = 0.2, 0.5


def evaluate(node, inputs):
    alpha, beta = _params(node)
    return unary(lambda x: np.clip(alpha * x + beta, 0, 1))(node, inputs)


def _params(node):
    return float(node.attrs.get("alpha", DEFAULT_ALPHA)), float(node.attrs.get("beta", DEFAULT_BETA))


def conv_activation(node):
    alpha, beta = _params(node)
    return {"activation_alpha": alpha, "activation_beta": beta}
