"""BatchNormalization in inference mode with constant parameters. The fusion
pass folds it into a preceding Conv or ConvTranspose when it can."""

from ._common import const_input, Unsupported

OP_TYPE = "BatchNormalization"

PARAMETERS = ("scale", "bias", "mean", "variance")


def normalize(node, graph):
    if node.attrs.get("training_mode", 0):
        raise Unsupported("training_mode=1")
    for index, what in enumerate(PARAMETERS, start=1):
        if const_input(graph, node, index, what) is None:
            raise Unsupported(f"has no {what}")
    for extra in node.outputs[1:]:
        if extra and (graph.consumers(extra) or graph.is_graph_output(extra)):
            raise Unsupported("uses the training outputs (running mean/variance)")
    node.outputs = node.outputs[:1]
    node.attrs = {"epsilon": float(node.attrs.get("epsilon", 1e-5))}
