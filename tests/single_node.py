"""One-node models for operator tests: ONNX graphs for parity runs through the
converter, and hand-built .ecnn files for what the loader must reject (attributes
the converter would never write)."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, encode_ecnn

CHANNELS = [1, 3, 15, 16, 17, 33]


def onnx_node_model(op_type: str, x_shape, attrs: dict | None = None, inits: dict | None = None,
                    inputs=None, outputs: int = 1, opset: int = 17):
    """X → op_type → Y (or Y0, Y1, ... for several outputs). `inits` maps names to
    arrays stored as initializers; `inputs` lists the node's inputs after X ("" for an
    omitted one) and defaults to the initializer names in order."""
    inits = inits or {}
    names = list(inits) if inputs is None else list(inputs)
    outs = ["Y"] if outputs == 1 else [f"Y{i}" for i in range(outputs)]
    node = helper.make_node(op_type, ["X"] + names, outs, name="node", **(attrs or {}))
    graph = helper.make_graph([node], op_type, [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(x_shape))],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outs],
                              [numpy_helper.from_array(np.asarray(v), k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def single_node_ecnn(op_type: str, x_shape, attrs: dict, constants=(), outputs: int = 1) -> bytes:
    """X (graph input, x_shape) and `constants` (float32 arrays, or None for an omitted
    optional input) feed one `op_type` node whose outputs are the graph outputs; their
    shapes are left for the loader to infer."""
    tensors = [Tensor("X", TensorKind.INPUT, tuple(int(d) for d in x_shape))]
    inputs = [0]
    for i, c in enumerate(constants):
        if c is None:
            inputs.append(-1)
            continue
        c = np.ascontiguousarray(c, dtype=np.float32)
        inputs.append(len(tensors))
        tensors.append(Tensor(f"C{i}", TensorKind.CONSTANT, c.shape, c))
    out = list(range(len(tensors), len(tensors) + outputs))
    tensors += [Tensor(f"Y{i}", TensorKind.ACTIVATION, None) for i in range(outputs)]
    return encode_ecnn(EcnnGraph(tensors, [Node(op_type, "node", inputs, out, dict(attrs))], [0], out))
