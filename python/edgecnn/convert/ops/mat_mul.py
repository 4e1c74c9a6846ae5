import numpy as np

OP_TYPE = "MatMul"


def evaluate(node, inputs):
    return [np.matmul(inputs[0], inputs[1])]
