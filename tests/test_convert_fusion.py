"""BatchNorm folding, activation and residual fusion into Conv, SiLU."""

import math

import numpy as np
import pytest
from onnx import helper

from edgecnn.convert import convert
from edgecnn.ecnn_file import read_ecnn
from test_convert_reference import assert_same_outputs, make_model, random_input, run_onnx

N = helper.make_node
F32 = np.float32
SHAPE = (1, 4, 6, 6)


def conv_params(prefix="", out_channels=4, in_channels=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        prefix + "W": rng.standard_normal((out_channels, in_channels, 3, 3)).astype(F32) * 0.3,
        prefix + "B": rng.standard_normal(out_channels).astype(F32),
    }


def bn_params(prefix="", channels=4, seed=1):
    rng = np.random.default_rng(seed)
    return {
        prefix + "scale": (rng.random(channels) + 0.5).astype(F32),
        prefix + "shift": rng.standard_normal(channels).astype(F32),
        prefix + "mean": rng.standard_normal(channels).astype(F32),
        prefix + "var": (rng.random(channels) + 0.1).astype(F32),
    }


def conv(x, y, prefix="", **attrs):
    return N("Conv", [x, prefix + "W", prefix + "B"], [y], pads=[1, 1, 1, 1], **attrs)


def bn(x, y, prefix=""):
    return N("BatchNormalization", [x] + [prefix + p for p in ("scale", "shift", "mean", "var")], [y], epsilon=1e-3)


def converted(nodes, inits, outputs=("y",), case=""):
    model = make_model(nodes, inits, input_shape=SHAPE, outputs=outputs)
    report = convert(model, None)
    graph = read_ecnn(report.data)
    assert_same_outputs(model, report.data, random_input(SHAPE), case)
    return report, graph


def described(graph):
    """Nodes as (op_type, attrs without the ONNX conv attributes, input names)."""
    conv_attrs = {"kernel_shape", "strides", "dilations", "pads", "group", "output_padding"}
    names = [t.name if t is not None else "" for t in graph.tensors]
    return [
        (n.op_type, {k: v for k, v in n.attrs.items() if k not in conv_attrs}, [names[i] if i >= 0 else "" for i in n.inputs])
        for n in graph.nodes
    ]


def test_batch_norm_folds_into_conv_and_matches_onnxruntime():
    inits = {**conv_params(), **bn_params()}
    model = make_model([conv("x", "c"), bn("c", "y")], inits, input_shape=SHAPE)
    report = convert(model, None)
    graph = read_ecnn(report.data)
    assert [n.op_type for n in graph.nodes] == ["Conv"]
    assert report.fused["batchnorm"] == 1
    # Re-emit the folded weights as a plain ONNX Conv and compare with Conv+BN.
    weights, bias = (graph.tensors[i].data for i in graph.nodes[0].inputs[1:3])
    assert not np.allclose(weights, inits["W"]), "weights were not changed by the fold"
    folded = make_model([conv("x", "y", prefix="f")], {"fW": weights, "fB": bias}, input_shape=SHAPE)
    x = random_input(SHAPE)
    np.testing.assert_allclose(run_onnx(folded, x)[0], run_onnx(model, x)[0], rtol=1e-4, atol=1e-5)


def test_batch_norm_folds_into_conv_without_bias_and_into_grouped_conv_transpose():
    rng = np.random.default_rng(3)
    inits = {
        "W": rng.standard_normal((4, 4, 3, 3)).astype(F32),
        "T": rng.standard_normal((4, 3, 2, 2)).astype(F32),  # C_in 4, C_out/group 3, group 2 → 6 outputs
        **bn_params("a"),
        **bn_params("t", channels=6, seed=4),
    }
    nodes = [
        N("Conv", ["x", "W"], ["c"], pads=[1, 1, 1, 1]),
        bn("c", "b1", "a"),
        N("ConvTranspose", ["b1", "T"], ["d"], group=2, strides=[2, 2]),
        bn("d", "y", "t"),
    ]
    report, graph = converted(nodes, inits, case="conv without bias, grouped ConvTranspose")
    assert [n.op_type for n in graph.nodes] == ["Conv", "ConvTranspose"]
    assert report.fused["batchnorm"] == 2


def test_batch_norm_stays_when_the_conv_output_has_another_reader():
    inits = {**conv_params(), **bn_params()}
    nodes = [conv("x", "c"), bn("c", "b"), N("Add", ["b", "c"], ["y"])]
    report, graph = converted(nodes, inits, case="shared conv output")
    assert [n.op_type for n in graph.nodes] == ["Conv", "BatchNormalization", "Add"]
    assert report.fused["batchnorm"] == 0


ACTIVATIONS = {
    "Relu": ([N("Relu", ["c"], ["y"])], {}, {"activation": "Relu"}),
    "Clip-relu6": (
        [N("Clip", ["c", "lo", "hi"], ["y"])],
        {"lo": np.array(0, F32), "hi": np.array(6, F32)},
        {"activation": "Clip", "activation_alpha": 0.0, "activation_beta": 6.0},
    ),
    "Clip-max-only": (
        [N("Clip", ["c", "", "hi"], ["y"])],
        {"hi": np.array(1, F32)},
        {"activation": "Clip", "activation_alpha": -math.inf, "activation_beta": 1.0},
    ),
    "Sigmoid": ([N("Sigmoid", ["c"], ["y"])], {}, {"activation": "Sigmoid"}),
    "Tanh": ([N("Tanh", ["c"], ["y"])], {}, {"activation": "Tanh"}),
    "HardSwish": ([N("HardSwish", ["c"], ["y"])], {}, {"activation": "HardSwish"}),
    "HardSigmoid": (
        [N("HardSigmoid", ["c"], ["y"], alpha=0.25)],
        {},
        {"activation": "HardSigmoid", "activation_alpha": 0.25, "activation_beta": 0.5},
    ),
    "LeakyRelu": ([N("LeakyRelu", ["c"], ["y"], alpha=0.125)], {}, {"activation": "LeakyRelu", "activation_alpha": 0.125}),
    "SiLU-sigmoid-second": (
        [N("Sigmoid", ["c"], ["s"]), N("Mul", ["c", "s"], ["y"])],
        {},
        {"activation": "SiLU"},
    ),
    "SiLU-sigmoid-first": (
        [N("Sigmoid", ["c"], ["s"]), N("Mul", ["s", "c"], ["y"])],
        {},
        {"activation": "SiLU"},
    ),
}


@pytest.mark.parametrize("case", list(ACTIVATIONS))
def test_activation_fuses_into_conv(case):
    act_nodes, act_inits, expected = ACTIVATIONS[case]
    report, graph = converted([conv("x", "c")] + act_nodes, {**conv_params(), **act_inits}, case=case)
    assert described(graph) == [("Conv", expected, ["x", "W", "B"])], case
    assert report.fused["activation"] == 1, case


def test_conv_bn_silu_as_in_yolo():
    inits = {**conv_params(), **bn_params()}
    nodes = [conv("x", "c"), bn("c", "b"), N("Sigmoid", ["b"], ["s"]), N("Mul", ["b", "s"], ["y"])]
    report, graph = converted(nodes, inits, case="Conv-BN-SiLU")
    assert [(n.op_type, n.attrs.get("activation")) for n in graph.nodes] == [("Conv", "SiLU")]
    assert {k: report.fused[k] for k in ("batchnorm", "silu", "activation")} == {"batchnorm": 1, "silu": 1, "activation": 1}


def test_activation_not_fused_when_the_conv_output_is_read_twice_or_is_a_graph_output():
    inits = conv_params()
    nodes = [conv("x", "c"), N("Relu", ["c"], ["r"]), N("Add", ["r", "c"], ["y"])]
    _, graph = converted(nodes, inits, case="conv output read twice")
    assert [(n.op_type, n.attrs.get("activation")) for n in graph.nodes] == [("Conv", None), ("Relu", None), ("Add", None)]
    nodes = [conv("x", "c"), N("Relu", ["c"], ["y"])]
    _, graph = converted(nodes, inits, outputs=("y", "c"), case="conv output is a graph output")
    assert [n.op_type for n in graph.nodes] == ["Conv", "Relu"]


def test_standalone_x_times_sigmoid_becomes_silu():
    nodes = [N("Sigmoid", ["x"], ["s"]), N("Mul", ["s", "x"], ["y"])]
    report, graph = converted(nodes, {}, case="standalone SiLU")
    assert described(graph) == [("SiLU", {}, ["x"])]
    assert report.fused["silu"] == 1


def test_sigmoid_read_elsewhere_is_not_turned_into_silu():
    nodes = [N("Sigmoid", ["x"], ["s"]), N("Mul", ["s", "x"], ["m"]), N("Add", ["m", "s"], ["y"])]
    _, graph = converted(nodes, {}, case="sigmoid read twice")
    assert [n.op_type for n in graph.nodes] == ["Sigmoid", "Mul", "Add"]


def test_residual_then_activation_fuses_as_activation_of_the_sum():
    # ResNet basic block tail: Relu(BN(Conv(h)) + x).
    inits = {**conv_params(), **bn_params()}
    nodes = [conv("x", "c"), bn("c", "b"), N("Add", ["x", "b"], ["s"]), N("Relu", ["s"], ["y"])]
    report, graph = converted(nodes, inits, case="act(conv + R)")
    ((op, attrs, inputs),) = described(graph)
    assert (op, attrs, inputs[0], inputs[3]) == ("Conv", {"residual_after_activation": 0, "activation": "Relu"}, "x", "x")
    assert report.fused["residual"] == 1


def test_residual_after_a_fused_activation_is_added_afterwards():
    # YOLO bottleneck: x + SiLU(Conv(x)).
    nodes = [conv("x", "c"), N("Sigmoid", ["c"], ["s"]), N("Mul", ["c", "s"], ["a"]), N("Add", ["a", "x"], ["y"])]
    _, graph = converted(nodes, conv_params(), case="act(conv) + R")
    assert described(graph) == [("Conv", {"activation": "SiLU", "residual_after_activation": 1}, ["x", "W", "B", "x"])]


def test_residual_with_conv_without_bias_uses_an_omitted_bias_slot():
    inits = {"W": conv_params()["W"]}
    nodes = [N("Conv", ["x", "W"], ["c"], pads=[1, 1, 1, 1]), N("Add", ["c", "x"], ["y"])]
    _, graph = converted(nodes, inits, case="no bias")
    assert described(graph) == [("Conv", {"residual_after_activation": 0}, ["x", "W", "", "x"])]


def test_residual_of_two_convs_reads_a_tensor_computed_before_it():
    inits = {**conv_params("a", seed=1), **conv_params("b", seed=2)}
    nodes = [conv("x", "p", "a"), conv("x", "q", "b"), N("Add", ["p", "q"], ["y"])]
    _, graph = converted(nodes, inits, case="two convs")
    ops = described(graph)
    assert [op for op, _, _ in ops] == ["Conv", "Conv"]
    assert ops[1][2][3] == "p" and ops[1][2][1] == "bW", ops


def test_broadcasting_add_is_not_fused():
    inits = {**conv_params(), "bias4": np.ones((1, 4, 1, 1), F32)}
    nodes = [conv("x", "c"), N("Add", ["c", "bias4"], ["y"])]
    _, graph = converted(nodes, inits, case="broadcast add")
    assert [n.op_type for n in graph.nodes] == ["Conv", "Add"]


def test_residual_whose_producer_comes_after_the_conv_is_reordered():
    # ONNX order Conv, Sigmoid, Add: once fused, the Conv reads the Sigmoid's
    # output, so the Sigmoid must move before it.
    nodes = [conv("x", "c"), N("Sigmoid", ["x"], ["r"]), N("Add", ["c", "r"], ["y"])]
    _, graph = converted(nodes, conv_params(), case="reordered residual")
    assert [n.op_type for n in graph.nodes] == ["Sigmoid", "Conv"], "the residual's producer must run first"


# Squeeze-and-excitation: X · Sigmoid(Conv(Relu(Conv(GlobalAveragePool(X)))))
# feeding a 1x1 Conv.
SE_SHAPE = (1, 8, 6, 6)


def se_params(out_channels=5, seed=3):
    rng = np.random.default_rng(seed)
    return {
        "Wr": rng.standard_normal((4, 8, 1, 1)).astype(F32) * 0.5,
        "We": rng.standard_normal((8, 4, 1, 1)).astype(F32) * 0.5,
        "Wp": rng.standard_normal((out_channels, 8, 1, 1)).astype(F32) * 0.3,
        "Bp": rng.standard_normal(out_channels).astype(F32),
        "W3": rng.standard_normal((out_channels, 8, 3, 3)).astype(F32) * 0.3,
    }


def se_scale_nodes(x="x"):
    return [N("GlobalAveragePool", [x], ["g"]), N("Conv", ["g", "Wr"], ["r"]), N("Relu", ["r"], ["rr"]),
            N("Conv", ["rr", "We"], ["e"]), N("Sigmoid", ["e"], ["s"])]


def se_converted(nodes, inits, case, outputs=("y",)):
    model = make_model(nodes, inits, input_shape=SE_SHAPE, outputs=outputs)
    report = convert(model, None)
    assert_same_outputs(model, report.data, random_input(SE_SHAPE), case)
    return report, described(read_ecnn(report.data))


@pytest.mark.parametrize("order", ["x_times_s", "s_times_x"])
def test_squeeze_excitation_scale_becomes_the_pointwise_convs_fifth_input(order):
    operands = ["x", "s"] if order == "x_times_s" else ["s", "x"]
    nodes = se_scale_nodes() + [N("Mul", operands, ["m"]), N("Conv", ["m", "Wp", "Bp"], ["c"]),
                                N("Relu", ["c"], ["y"])]
    report, graph = se_converted(nodes, se_params(), order)
    assert report.fused["channel-scale"] == 1
    assert "Mul" not in [op for op, _, _ in graph]
    op, attrs, inputs = graph[-1]
    # S is the excitation conv's output, which took the Sigmoid's name when that fused.
    assert (op, attrs["activation"], inputs[0], inputs[3:]) == ("Conv", "Relu", "x", ["", "s"]), graph


def test_squeeze_excitation_scale_with_a_residual_keeps_both():
    # EfficientNet's projection: the scaled 1x1 conv plus the block input.
    p = se_params(out_channels=8)
    nodes = se_scale_nodes() + [N("Mul", ["x", "s"], ["m"]), N("Conv", ["m", "Wp", "Bp"], ["c"]),
                                N("Add", ["c", "x"], ["y"])]
    report, graph = se_converted(nodes, p, "residual")
    op, attrs, inputs = graph[-1]
    assert (op, inputs[0], inputs[3:]) == ("Conv", "x", ["x", "s"]), graph


@pytest.mark.parametrize("case", ["wide-output", "3x3-conv", "mul-read-twice", "mul-is-output", "constant-scale"])
def test_channel_scale_stays_a_mul(case):
    p = se_params(out_channels=36 if case == "wide-output" else 5)  # 36 output channels >= 6x6 pixels: no gain
    scale = "k" if case == "constant-scale" else "s"
    p["k"] = np.linspace(0.5, 1.5, 8).astype(F32).reshape(1, 8, 1, 1)
    conv = N("Conv", ["m", "W3" if case == "3x3-conv" else "Wp", "Bp"], ["y"],
             **({"pads": [1, 1, 1, 1]} if case == "3x3-conv" else {}))
    nodes = se_scale_nodes() + [N("Mul", ["x", scale], ["m"]), conv]
    outputs = ("y",)
    if case == "mul-read-twice":
        nodes.append(N("Relu", ["m"], ["z"]))
        outputs = ("y", "z")
    elif case == "mul-is-output":
        outputs = ("y", "m")
    report, graph = se_converted(nodes, p, case, outputs)
    assert report.fused["channel-scale"] == 0 and "Mul" in [op for op, _, _ in graph], case
    assert all(len(inputs) <= 4 for op, _, inputs in graph if op == "Conv"), case
