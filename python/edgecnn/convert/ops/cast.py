"""Cast folds on constants; at run time only a float32 → float32 Cast (a copy)
is supported, as an Identity."""

import numpy as np

from ._common import Unsupported

OP_TYPE = "Cast"


def _target(node):
    from onnx.helper import tensor_dtype_to_np_dtype

    return tensor_dtype_to_np_dtype(int(node.attrs["to"]))


def evaluate(node, inputs):
    return [inputs[0].astype(_target(node))]


def normalize(node, graph):
    target = np.dtype(_target(node))
    if target != np.float32:
        raise Unsupported(f"casts to {target} at run time; edgecnn runs float32 tensors only")
    if graph.dtype(node.inputs[0]) != np.float32:
        raise Unsupported(f"casts {graph.dtype(node.inputs[0]) or 'a non-float32 tensor'} to float32 at run time")
    node.op_type, node.attrs = "Identity", {}
