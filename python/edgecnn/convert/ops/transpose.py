import numpy as np

from ._common import known_shape

OP_TYPE = "Transpose"


def evaluate(node, inputs):
    perm = node.attrs.get("perm")
    return [np.transpose(inputs[0], None if perm is None else [int(p) for p in perm])]


def normalize(node, graph):
    if "perm" not in node.attrs:
        node.attrs["perm"] = list(reversed(range(len(known_shape(graph, node.inputs[0])))))
