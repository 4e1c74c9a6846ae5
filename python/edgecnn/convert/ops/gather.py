import numpy as np

OP_TYPE = "Gather"


def evaluate(node, inputs):
    data, indices = inputs
    axis = int(node.attrs.get("axis", 0))
    axis = axis + data.ndim if axis < 0 else axis
    indices = np.where(indices < 0, indices + data.shape[axis], indices)
    return [np.take(data, indices, axis=axis)]
