import numpy as np

OP_TYPE = "Tile"


def evaluate(node, inputs):
    x, repeats = inputs
    return [np.tile(x, [int(r) for r in repeats])]
