"""Identity: the converter removes it by rewiring; it stays only where a graph
output copies a constant, the graph input or another graph output."""

OP_TYPE = "Identity"


def evaluate(node, inputs):
    return [inputs[0]]
