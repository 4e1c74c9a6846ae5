"""Conv: constant weights; kernel_shape, strides, dilations, pads and group
written explicitly (auto_pad resolved). The fusion passes add the edgecnn
attributes `activation*` and `residual_after_activation`."""

from ._common import const_input, known_shape, set_inputs, spatial_pads, Unsupported

OP_TYPE = "Conv"


def normalize(node, graph):
    weights = const_input(graph, node, 1, "weights")
    if weights is None:
        raise Unsupported("has no weights")
    const_input(graph, node, 2, "bias")
    kernel = [int(k) for k in weights.shape[2:]]
    n = len(kernel)
    pads = spatial_pads(node, known_shape(graph, node.inputs[0]), kernel)
    node.attrs = {
        "kernel_shape": kernel,
        "strides": [int(s) for s in node.attrs.get("strides", [1] * n)],
        "dilations": [int(d) for d in node.attrs.get("dilations", [1] * n)],
        "pads": pads,
        "group": int(node.attrs.get("group", 1)),
    }
    set_inputs(node, node.inputs[:3])
