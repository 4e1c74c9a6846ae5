import numpy as np

from ._common import optional_input, reduce_axes

OP_TYPE = "ReduceProd"


def evaluate(node, inputs):
    x = inputs[0]
    axes = reduce_axes(node, optional_input(inputs, 1), x.ndim)
    keepdims = bool(node.attrs.get("keepdims", 1))
    return [np.prod(x, axis=tuple(axes), keepdims=keepdims).astype(x.dtype)]
