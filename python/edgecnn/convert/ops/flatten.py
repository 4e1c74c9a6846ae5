import math

OP_TYPE = "Flatten"


def evaluate(node, inputs):
    x = inputs[0]
    axis = int(node.attrs.get("axis", 1))
    axis = axis + x.ndim if axis < 0 else axis
    return [x.reshape(math.prod(x.shape[:axis]), -1)]
