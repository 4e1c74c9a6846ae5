import numpy as np

OP_TYPE = "Concat"


def evaluate(node, inputs):
    return [np.concatenate(inputs, axis=int(node.attrs["axis"]))]
