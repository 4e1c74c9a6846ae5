"""ReduceMean: folds on constants; at run time the mean over H and W of an
NCHW tensor becomes GlobalAveragePool (followed by a Reshape to (N, C) when
keepdims=0), which the native core runs; any other ReduceMean stays, in its
fallback form (explicit axes and keepdims), for a fallback backend."""

import numpy as np

from ..graph import Node
from ._common import const_input, known_shape, optional_input, reduce_axes, reduce_normalize

OP_TYPE = "ReduceMean"


def evaluate(node, inputs):
    x = inputs[0]
    axes = reduce_axes(node, optional_input(inputs, 1), x.ndim)
    keepdims = bool(node.attrs.get("keepdims", 1))
    return [np.mean(x, axis=tuple(axes), keepdims=keepdims).astype(x.dtype)]


def normalize(node, graph):
    shape = known_shape(graph, node.inputs[0])
    axes = reduce_axes(node, const_input(graph, node, 1, "axes"), len(shape))
    if len(shape) != 4 or axes != [2, 3]:
        reduce_normalize(node, graph)
        return
    keepdims = node.attrs.get("keepdims", 1)
    node.op_type, node.attrs, node.inputs = "GlobalAveragePool", {}, node.inputs[:1]
    if keepdims:
        return
    pooled = graph.fresh_name(node.outputs[0] + "_pooled")
    graph.value(pooled).shape = tuple(shape[:2]) + (1, 1)
    graph.value(pooled).dtype = graph.dtype(node.inputs[0])
    graph.nodes.append(Node("Reshape", node.name + "_squeeze", [pooled], [node.outputs[0]], {"shape": list(shape[:2])}))
    node.outputs = [pooled]
