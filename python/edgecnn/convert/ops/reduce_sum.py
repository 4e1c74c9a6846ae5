"""ReduceSum (fallback operator): folds on constants; otherwise explicit axes
and keepdims attributes (docs/format.md, "Fallback operators")."""

import numpy as np

from ._common import optional_input, reduce_axes, reduce_normalize

OP_TYPE = "ReduceSum"


def evaluate(node, inputs):
    x = inputs[0]
    axes = reduce_axes(node, optional_input(inputs, 1), x.ndim)
    if not axes:
        return [x]
    return [np.sum(x, axis=tuple(axes), keepdims=bool(node.attrs.get("keepdims", 1))).astype(x.dtype)]


normalize = reduce_normalize
