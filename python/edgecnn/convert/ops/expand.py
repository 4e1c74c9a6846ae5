import numpy as np

OP_TYPE = "Expand"


def evaluate(node, inputs):
    x, shape = inputs
    target = np.broadcast_shapes(x.shape, tuple(int(d) for d in shape))
    return [np.broadcast_to(x, target).copy()]
