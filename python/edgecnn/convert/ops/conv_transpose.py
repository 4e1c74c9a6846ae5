"""ConvTranspose: constant weights; auto_pad and output_shape resolved to
explicit pads (and output_padding), following the ONNX formulas."""

from ._common import const_input, known_shape, set_inputs, Unsupported

OP_TYPE = "ConvTranspose"


def normalize(node, graph):
    weights = const_input(graph, node, 1, "weights")
    if weights is None:
        raise Unsupported("has no weights")
    const_input(graph, node, 2, "bias")
    spatial = known_shape(graph, node.inputs[0])[2:]
    kernel = [int(k) for k in weights.shape[2:]]
    n = len(kernel)
    a = node.attrs
    strides = [int(s) for s in a.get("strides", [1] * n)]
    dilations = [int(d) for d in a.get("dilations", [1] * n)]
    output_padding = [int(p) for p in a.get("output_padding", [0] * n)]
    auto_pad = a.get("auto_pad", "NOTSET")
    output_shape = a.get("output_shape")
    if output_shape is None and auto_pad in ("SAME_UPPER", "SAME_LOWER"):
        output_shape = [size * s for size, s in zip(spatial, strides)]
    if auto_pad == "VALID":
        pads = [0] * 2 * n
    elif output_shape is not None:
        output_shape = [int(o) for o in output_shape][-n:]
        begins, ends = [], []
        for i in range(n):
            full = strides[i] * (spatial[i] - 1) + output_padding[i] + (kernel[i] - 1) * dilations[i] + 1
            total = full - output_shape[i]
            if total < 0:
                # The output grows beyond the full transposed convolution: ONNX
                # fills it through output_padding-like extension; not supported.
                raise Unsupported(f"output_shape {output_shape} exceeds the full output size")
            if auto_pad == "SAME_UPPER":
                begins.append(total // 2)
                ends.append(total - total // 2)
            else:
                begins.append(total - total // 2)
                ends.append(total // 2)
        pads = begins + ends
    elif auto_pad == "NOTSET":
        pads = [int(p) for p in a.get("pads", [0] * 2 * n)]
    else:
        raise Unsupported(f"auto_pad '{auto_pad}'")
    node.attrs = {
        "kernel_shape": kernel,
        "strides": strides,
        "dilations": dilations,
        "pads": pads,
        "output_padding": output_padding,
        "group": int(a.get("group", 1)),
    }
    set_inputs(node, node.inputs[:3])
