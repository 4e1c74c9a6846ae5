import numpy as np

from ._common import Unsupported

OP_TYPE = "Constant"

# Attribute → dtype of the value it holds (`value` carries its own).
SCALAR_ATTRS = {"value_float": np.float32, "value_floats": np.float32, "value_int": np.int64, "value_ints": np.int64}


def evaluate(node, inputs):
    if "value" in node.attrs:
        return [np.asarray(node.attrs["value"])]
    for attr, dtype in SCALAR_ATTRS.items():
        if attr in node.attrs:
            return [np.asarray(node.attrs[attr], dtype=dtype)]
    raise Unsupported(f"holds a value of a kind edgecnn does not use ({', '.join(node.attrs)})")
