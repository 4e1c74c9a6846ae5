"""Softmax, written with an explicit axis in opset-13 semantics (one axis).

Before opset 13 Softmax normalized over all dimensions from `axis` on (default
1); unless those are only the last one, that becomes Reshape → Softmax → Reshape.
"""

import math

from ..graph import Node
from ._common import known_shape, normalize_axis

OP_TYPE = "Softmax"


def normalize(node, graph):
    shape = known_shape(graph, node.inputs[0])
    rank = len(shape)
    if graph.opset >= 13:
        node.attrs = {"axis": normalize_axis(int(node.attrs.get("axis", -1)), rank)}
        return
    axis = normalize_axis(int(node.attrs.get("axis", 1)), rank)
    if math.prod(shape[axis + 1 :]) == 1:
        node.attrs = {"axis": axis}
        return
    flat_shape = [math.prod(shape[:axis]), math.prod(shape[axis:])]
    flat_in, flat_out = graph.fresh_name(node.inputs[0] + "_2d"), graph.fresh_name(node.outputs[0] + "_2d")
    for name in (flat_in, flat_out):
        graph.value(name).shape = tuple(flat_shape)
        graph.value(name).dtype = graph.dtype(node.inputs[0])
    graph.nodes += [
        Node("Reshape", node.name + "_flatten", [node.inputs[0]], [flat_in], {"shape": flat_shape}),
        Node("Reshape", node.name + "_unflatten", [flat_out], [node.outputs[0]], {"shape": list(shape)}),
    ]
    node.inputs, node.outputs, node.attrs = [flat_in], [flat_out], {"axis": 1}
