"""ONNX graphs whose nodes take several activations of chosen shapes.

edgecnn models have one graph input, so the operands are carved out of one flat
input X: operand i is Reshape(Slice(X, [offset_i, offset_i + size_i))) with its
own shape. Constants are initializers."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper


class OperandGraph:
    def __init__(self):
        self.nodes = []
        self.inits = []
        self.values = []  # numpy arrays carved out of X, in order
        self._size = 0
        self._count = 0

    def _name(self, prefix):
        self._count += 1
        return f"{prefix}{self._count}"

    def activation(self, array: np.ndarray) -> str:
        """An activation holding `array` at run time."""
        array = np.asarray(array, np.float32)
        begin, end = self._size, self._size + array.size
        self._size = end
        self.values.append(array)
        ints = {"starts": [begin], "ends": [end], "axes": [0]}
        names = {k: self.const_ints(v) for k, v in ints.items()}
        flat = self._name("flat")
        self.nodes.append(helper.make_node("Slice", ["X", names["starts"], names["ends"], names["axes"]], [flat],
                                           name=self._name("carve")))
        out = self._name("act")
        if array.ndim == 0:  # the converter reads an empty Reshape target as "no shape"
            self.nodes.append(helper.make_node("Squeeze", [flat, self.const_ints([0])], [out], name=self._name("sq")))
        else:
            self.nodes.append(helper.make_node("Reshape", [flat, self.const_ints(list(array.shape))], [out],
                                               name=self._name("shape")))
        return out

    def constant(self, array: np.ndarray) -> str:
        name = self._name("const")
        self.inits.append(numpy_helper.from_array(np.asarray(array, np.float32), name))
        return name

    def const_ints(self, values) -> str:
        name = self._name("ints")
        self.inits.append(numpy_helper.from_array(np.asarray(values, np.int64), name))
        return name

    def operand(self, array: np.ndarray, constant: bool) -> str:
        return self.constant(array) if constant else self.activation(array)

    def node(self, op_type, inputs, outputs=1, **attrs):
        names = [self._name("y") for _ in range(outputs)]
        self.nodes.append(helper.make_node(op_type, inputs, names, name=self._name(op_type.lower()), **attrs))
        return names[0] if outputs == 1 else names

    def model(self, outputs):
        """The model and its input value; `outputs` are the graph outputs."""
        outputs = [outputs] if isinstance(outputs, str) else list(outputs)
        x = np.concatenate([v.reshape(-1) for v in self.values]) if self.values else np.zeros(1, np.float32)
        graph = helper.make_graph(
            self.nodes, "ops", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [x.size])],
            [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs], self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), x.astype(np.float32)

