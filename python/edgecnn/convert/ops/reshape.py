"""Reshape: the target shape input becomes the `shape` attribute, with 0 and -1
resolved at the fixed input size."""

from ._common import const_input, known_shape, resolve_reshape, set_inputs, Unsupported

OP_TYPE = "Reshape"


def evaluate(node, inputs):
    x, shape = inputs
    return [x.reshape(resolve_reshape(x.shape, [int(d) for d in shape], node.attrs.get("allowzero", 0)))]


def normalize(node, graph):
    target = const_input(graph, node, 1, "shape")
    if target is None:
        raise Unsupported("has no target shape")
    shape = resolve_reshape(
        known_shape(graph, node.inputs[0]), [int(d) for d in target.reshape(-1)], node.attrs.get("allowzero", 0)
    )
    node.attrs = {"shape": shape}
    set_inputs(node, node.inputs[:1])
