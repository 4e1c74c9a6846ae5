"""MaxPool: explicit pads (auto_pad resolved); the Indices output is not supported."""

from ._common import ceil_mode_pool_shapes, pool_normalize, Unsupported

OP_TYPE = "MaxPool"

output_shapes = ceil_mode_pool_shapes


def normalize(node, graph):
    for extra in node.outputs[1:]:
        if extra and (graph.consumers(extra) or graph.is_graph_output(extra)):
            raise Unsupported("uses the Indices output")
    node.outputs = node.outputs[:1]
    pool_normalize(node, graph, keep=("ceil_mode", "dilations"))
