"""Dropout at inference is a copy: it becomes an Identity, which is then removed."""

from ._common import const_input, Unsupported

OP_TYPE = "Dropout"


def normalize(node, graph):
    training = const_input(graph, node, 2, "training_mode")
    if training is not None and bool(training.reshape(-1)[0]):
        raise Unsupported("training_mode is true")
    for mask in node.outputs[1:]:
        if mask and (graph.consumers(mask) or graph.is_graph_output(mask)):
            raise Unsupported("uses the mask output")
    node.op_type, node.attrs = "Identity", {}
    node.inputs, node.outputs = node.inputs[:1], node.outputs[:1]
