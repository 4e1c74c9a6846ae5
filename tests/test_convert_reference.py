"""A reference runner for converted graphs, used by the other converter tests:
an .ecnn graph is re-emitted as plain ONNX (attributes back to inputs, fused
Conv expanded, SiLU as x·sigmoid(x)) and run by onnxruntime. The tests here
check that re-emission against direct numpy computations.
"""

import numpy as np
import onnx
import onnxruntime as ort
import pytest
from onnx import TensorProto, helper, numpy_helper

from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, read_ecnn

REFERENCE_OPSET = 18

# .ecnn attribute → (ONNX input position, dtype) for ops whose ONNX form takes it as an input.
ATTRS_AS_INPUTS = {
    "Reshape": {"shape": (1, np.int64)},
    "Slice": {"starts": (1, np.int64), "ends": (2, np.int64), "axes": (3, np.int64), "steps": (4, np.int64)},
    "Split": {"split": (1, np.int64)},
    "Squeeze": {"axes": (1, np.int64)},
    "Unsqueeze": {"axes": (1, np.int64)},
    "Resize": {"scales": (2, np.float32), "sizes": (3, np.int64)},
    "Pad": {"pads": (1, np.int64), "value": (2, np.float32)},
    "Clip": {"min": (1, np.float32), "max": (2, np.float32)},
}
CONV_EXTENSIONS = ("activation", "activation_alpha", "activation_beta", "residual_after_activation")


class _Emitter:
    def __init__(self):
        self.nodes, self.initializers = [], []
        self.count = 0

    def fresh(self, stem):
        self.count += 1
        return f"{stem}__ref{self.count}"

    def const(self, stem, array):
        name = self.fresh(stem)
        self.initializers.append(numpy_helper.from_array(np.asarray(array), name))
        return name

    def node(self, op_type, inputs, outputs, **attrs):
        self.nodes.append(helper.make_node(op_type, inputs, outputs, **attrs))

    def activation(self, kind, alpha, beta, x, y):
        if kind == "SiLU":
            s = self.fresh(y)
            self.node("Sigmoid", [x], [s])
            self.node("Mul", [x, s], [y])
        elif kind == "Clip":
            self.node("Clip", [x, self.const(y, np.float32(alpha)), self.const(y, np.float32(beta))], [y])
        elif kind == "HardSigmoid":
            self.node("HardSigmoid", [x], [y], alpha=alpha, beta=beta)
        elif kind == "LeakyRelu":
            self.node("LeakyRelu", [x], [y], alpha=alpha)
        else:
            self.node(kind, [x], [y])

    def conv(self, n, inputs, out):
        attrs = {k: v for k, v in n.attrs.items() if k not in CONV_EXTENSIONS}
        x, w, b = inputs[0], inputs[1], inputs[2] if len(inputs) > 2 else ""
        residual = inputs[3] if len(inputs) > 3 and inputs[3] else None
        if len(inputs) > 4 and inputs[4]:  # channel scale S: conv(x · S)
            scaled = self.fresh(out)
            self.node("Mul", [x, inputs[4]], [scaled])
            x = scaled
        kind = n.attrs.get("activation", "")
        after = n.attrs.get("residual_after_activation", 0)
        conv_out = self.fresh(out) if (kind or residual) else out
        self.node("Conv", [x, w] + ([b] if b else []), [conv_out], **attrs)
        if residual and not after:
            summed = self.fresh(out) if kind else out
            self.node("Add", [conv_out, residual], [summed])
            conv_out = summed
        if kind:
            activated = self.fresh(out) if (residual and after) else out
            self.activation(kind, n.attrs.get("activation_alpha", 0.0), n.attrs.get("activation_beta", 0.0), conv_out, activated)
            conv_out = activated
        if residual and after:
            self.node("Add", [conv_out, residual], [out])


def ecnn_to_onnx(graph: EcnnGraph) -> onnx.ModelProto:
    e = _Emitter()
    names = [t.name for t in graph.tensors]
    for t in graph.tensors:
        if t.kind == TensorKind.CONSTANT:
            e.initializers.append(numpy_helper.from_array(np.array(t.data, dtype=np.float32), t.name))
    for n in graph.nodes:
        inputs = [names[i] if i >= 0 else "" for i in n.inputs]
        outputs = [names[i] for i in n.outputs]
        if n.op_type == "Conv":
            e.conv(n, inputs, outputs[0])
            continue
        if n.op_type == "SiLU":
            e.activation("SiLU", 0.0, 0.0, inputs[0], outputs[0])
            continue
        attrs = dict(n.attrs)
        moved = ATTRS_AS_INPUTS.get(n.op_type, {})
        for attr, (position, dtype) in moved.items():
            if attr in attrs:
                inputs += [""] * (position + 1 - len(inputs))
                inputs[position] = e.const(f"{n.name}_{attr}", np.asarray(attrs.pop(attr), dtype=dtype))
        e.node(n.op_type, inputs, outputs, **attrs)
    inputs = [
        helper.make_tensor_value_info(names[i], TensorProto.FLOAT, list(graph.tensors[i].shape)) for i in graph.inputs
    ]
    outputs = [helper.make_empty_tensor_value_info(names[i]) for i in graph.outputs]
    model = helper.make_model(
        helper.make_graph(e.nodes, "reference", inputs, outputs, e.initializers),
        opset_imports=[helper.make_opsetid("", REFERENCE_OPSET)],
    )
    return model


def run_onnx(model: onnx.ModelProto, x: np.ndarray) -> list:
    options = ort.SessionOptions()
    # onnxruntime's optimizer folds Shape from onnx's shape inference, which
    # differs from its own kernels in places (ceil_mode pooling).
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    session = ort.InferenceSession(model.SerializeToString(), options, providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: x})


def run_ecnn(data_or_graph, x: np.ndarray) -> list:
    graph = read_ecnn(data_or_graph) if isinstance(data_or_graph, (bytes, bytearray)) else data_or_graph
    return run_onnx(ecnn_to_onnx(graph), x)


def assert_same_outputs(model: onnx.ModelProto, ecnn_bytes: bytes, x: np.ndarray, case: str, atol=1e-5):
    expected = run_onnx(model, x)
    actual = run_ecnn(ecnn_bytes, x)
    assert len(expected) == len(actual), f"{case}: {len(actual)} outputs, ONNX has {len(expected)}"
    for i, (e, a) in enumerate(zip(expected, actual)):
        assert e.shape == a.shape, f"{case}: output {i} shape {a.shape}, ONNX gives {e.shape}"
        np.testing.assert_allclose(a, e, rtol=1e-4, atol=atol, err_msg=f"{case}: output {i}")


# ---------------------------------------------------------------------------
# Checks of the reference itself


def _fused_conv_graph(activation, after, alpha=0.0, beta=0.0):
    rng = np.random.default_rng(1)
    w = rng.standard_normal((2, 2, 1, 1)).astype(np.float32)
    attrs = {"kernel_shape": [1, 1], "activation": activation, "residual_after_activation": after}
    if activation in ("Clip", "HardSigmoid", "LeakyRelu"):
        attrs.update(activation_alpha=alpha, activation_beta=beta)
    tensors = [
        Tensor("x", TensorKind.INPUT, (1, 2, 3, 3)),
        Tensor("w", TensorKind.CONSTANT, (2, 2, 1, 1), w),
        Tensor("y", TensorKind.ACTIVATION, (1, 2, 3, 3)),
    ]
    node = Node("Conv", "conv", [0, 1, -1, 0], [2], attrs)
    return EcnnGraph(tensors, [node], [0], [2]), w


@pytest.mark.parametrize(
    "activation, alpha, beta, fn",
    [
        ("Relu", 0.0, 0.0, lambda v: np.maximum(v, 0)),
        ("Clip", -0.5, 0.5, lambda v: np.clip(v, -0.5, 0.5)),
        ("SiLU", 0.0, 0.0, lambda v: v / (1 + np.exp(-v))),
        ("LeakyRelu", 0.1, 0.0, lambda v: np.where(v >= 0, v, 0.1 * v)),
        ("HardSigmoid", 0.25, 0.4, lambda v: np.clip(0.25 * v + 0.4, 0, 1)),
    ],
)
@pytest.mark.parametrize("after", [0, 1])
def test_reference_fused_conv_matches_numpy(activation, alpha, beta, fn, after):
    graph, w = _fused_conv_graph(activation, after, alpha, beta)
    x = np.random.default_rng(2).standard_normal((1, 2, 3, 3)).astype(np.float32)
    conv = np.einsum("oi,nihw->nohw", w[:, :, 0, 0], x)
    expected = fn(conv) + x if after else fn(conv + x)
    (actual,) = run_ecnn(graph, x)
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-5, err_msg=f"{activation}, after={after}")


def test_reference_moves_attributes_back_to_inputs():
    tensors = [
        Tensor("x", TensorKind.INPUT, (1, 2, 4, 4)),
        Tensor("r", TensorKind.ACTIVATION, (1, 32)),
        Tensor("s", TensorKind.ACTIVATION, (1, 2, 3, 4)),
    ]
    nodes = [Node("Reshape", "reshape", [0], [1], {"shape": [1, 32]}), Node("Slice", "slice", [0], [2], {"starts": [1], "ends": [4], "axes": [2], "steps": [1]})]
    x = np.arange(32, dtype=np.float32).reshape(1, 2, 4, 4)
    r, s = run_ecnn(EcnnGraph(tensors, nodes, [0], [1, 2]), x)
    np.testing.assert_array_equal(r, x.reshape(1, 32))
    np.testing.assert_array_equal(s, x[:, :, 1:4])


# ---------------------------------------------------------------------------
# Building small ONNX models


def make_model(nodes, initializers=None, input_shape=(1, 3, 8, 8), outputs=("y",), opset=17, metadata=None, input_type=TensorProto.FLOAT):
    """An ONNX model with one input 'x'; `initializers` maps names to arrays."""
    inits = [numpy_helper.from_array(np.asarray(v), k) for k, v in (initializers or {}).items()]
    graph = helper.make_graph(
        nodes,
        "test",
        [helper.make_tensor_value_info("x", input_type, list(input_shape))],
        [helper.make_empty_tensor_value_info(o) for o in outputs],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    for key, value in (metadata or {}).items():
        model.metadata_props.add(key=key, value=value)
    return model


def random_input(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
