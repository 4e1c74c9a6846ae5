"""What the converter refuses, and how it says so."""

import os

import numpy as np
import pytest
from onnx import TensorProto, helper

from edgecnn._errors import ConversionError, UnsupportedOpError
from edgecnn.convert import convert
from test_convert_reference import make_model

N = helper.make_node
I64 = np.int64


def test_every_unsupported_node_is_listed_in_one_error_and_no_file_is_written(tmp_path):
    nodes = [
        N("Erf", ["x"], ["erf"], name="gelu_erf"),
        N("Resize", ["erf", "", "scales"], ["up"], name="upsample_cubic", mode="cubic"),
        N("Pad", ["up", "pads"], ["padded"], name="pad_wrap", mode="wrap"),
        N("Conv", ["padded", "x"], ["dyn"], name="conv_dynamic_weights"),
        N("FancyOp", ["dyn"], ["fancy"], name="custom", domain="com.example"),
        N("Cast", ["fancy"], ["as_int"], name="to_int", to=TensorProto.INT64),
        N("Relu", ["x"], ["fine"], name="relu_ok"),
        N("ArgMax", ["fine"], ["classes"], name="argmax", axis=1),
    ]
    inits = {"scales": np.array([1, 1, 2, 2], np.float32), "pads": np.zeros(8, I64)}
    model = make_model(nodes, inits, outputs=["as_int", "classes"], opset=19)
    model.opset_import.add(domain="com.example", version=1)
    out = tmp_path / "model.ecnn"
    with pytest.raises(UnsupportedOpError) as info:
        convert(model, out)
    listed = {(op, name): reason for op, name, reason in info.value.ops}
    # Erf is a fallback operator (the OpenVINO backend runs it): not listed.
    assert sorted(listed) == sorted(
        [
            ("Resize", "upsample_cubic"),
            ("Pad", "pad_wrap"),
            ("Conv", "conv_dynamic_weights"),
            ("FancyOp", "custom"),
            ("Cast", "to_int"),
            ("ArgMax", "argmax"),
        ]
    ), "every offending node, and only those"
    assert "cubic" in listed[("Resize", "upsample_cubic")]
    assert "wrap" in listed[("Pad", "pad_wrap")]
    assert "weights" in listed[("Conv", "conv_dynamic_weights")]
    assert "com.example" in listed[("FancyOp", "custom")]
    assert "int64" in listed[("Cast", "to_int")]
    message = str(info.value)
    for (op, name), reason in listed.items():
        assert f"{op} ({name}): {reason}" in message, f"message lacks {op} ({name})"
    assert os.listdir(tmp_path) == [], "a failed conversion must write nothing"


def test_shape_computation_on_a_runtime_only_shape_is_reported():
    # NonZero's output size depends on the data: its Shape cannot fold.
    nodes = [N("NonZero", ["x"], ["nz"], name="nonzero"), N("Shape", ["nz"], ["s"], name="shape_of_nonzero"),
             N("Cast", ["s"], ["sf"], to=TensorProto.FLOAT), N("Add", ["x", "sf"], ["y"], name="add")]  # fmt: skip
    model = make_model(nodes, {}, input_shape=(1, 1, 1, 2))
    with pytest.raises(UnsupportedOpError) as info:
        convert(model, None)
    names = {name for _, name, _ in info.value.ops}
    assert {"nonzero", "shape_of_nonzero"} <= names
    reason = dict(((op, name), r) for op, name, r in info.value.ops)[("Shape", "shape_of_nonzero")]
    assert "constant" in reason


def test_unused_unsupported_nodes_are_dropped_not_reported():
    nodes = [N("Relu", ["x"], ["y"]), N("Erf", ["x"], ["unused"], name="dead")]
    report = convert(make_model(nodes), None)
    assert report.op_histogram == {"Relu": 1}


@pytest.mark.parametrize(
    "case, options, message",
    [
        ("task", {"task": "segmentation"}, "task must be one of"),
        ("color", {"color": "rgba"}, "color must be"),
        ("mean length", {"mean": [0.5, 0.5]}, "mean must be 3 numbers"),
        ("mean not numbers", {"mean": "abc"}, "mean must be 3 numbers"),
        ("mean 0-255 scale", {"mean": [123.7, 116.3, 103.5]}, "mean values are on the 0-1 scale"),
        ("std zero", {"std": [0.2, 0.0, 0.2]}, "std values must be finite and > 0"),
        ("std negative", {"std": [0.2, -0.1, 0.2]}, "std values must be finite and > 0"),
        ("input_shape zero", {"input_shape": (1, 3, 0, 8)}, "input_shape must be"),
        ("input_shape fraction", {"input_shape": (1, 3, 8.5, 8)}, "input_shape must be"),
        ("input_shape rank", {"input_shape": (1, 3, 8)}, "has rank 3"),
        ("input_shape vs static dims", {"input_shape": (1, 4, 8, 8)}, "conflicts with the static dims"),
        ("labels missing file", {"labels": "/nonexistent/labels.txt"}, "labels: cannot read"),
        ("labels not strings", {"labels": [1, 2]}, "labels must be"),
    ],
)
def test_bad_options_raise_value_error_naming_the_option(case, options, message, tmp_path):
    model = make_model([N("Relu", ["x"], ["y"])], input_shape=(1, 3, "h", 8))
    with pytest.raises(ValueError, match=message):
        convert(model, tmp_path / "m.ecnn", **({"input_shape": (1, 3, 8, 8)} | options))
    assert os.listdir(tmp_path) == [], case


@pytest.mark.parametrize(
    "case, model, message",
    [
        ("two inputs", "two_inputs", "has 2 inputs \\(x, x2\\); edgecnn supports exactly one"),
        ("integer input", "int_input", "graph input 'x' is UINT8"),
        ("dynamic size", "dynamic", "dynamic dims \\[1, 3, \\?, \\?\\].*input_shape"),
    ],
)
def test_models_edgecnn_cannot_take_raise_conversion_error(case, model, message):
    if model == "two_inputs":
        proto = make_model([N("Add", ["x", "x2"], ["y"])])
        proto.graph.input.append(helper.make_tensor_value_info("x2", TensorProto.FLOAT, [1, 3, 8, 8]))
    elif model == "int_input":
        proto = make_model([N("Cast", ["x"], ["y"], to=TensorProto.FLOAT)], input_type=TensorProto.UINT8)
    else:
        proto = make_model([N("Relu", ["x"], ["y"])], input_shape=(1, 3, "h", "w"))
    with pytest.raises(ConversionError, match=message):
        convert(proto, None)


def test_initializers_listed_as_inputs_do_not_count_as_inputs():
    proto = make_model([N("Add", ["x", "c"], ["y"])], {"c": np.ones((1, 3, 1, 1), np.float32)})
    proto.graph.input.append(helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 3, 1, 1]))
    assert convert(proto, None).op_histogram == {"Add": 1}


def test_missing_and_corrupt_files(tmp_path):
    with pytest.raises(ConversionError, match="no such file"):
        convert(tmp_path / "missing.onnx", None)
    bad = tmp_path / "bad.onnx"
    bad.write_bytes(b"\xff\xff not a protobuf")
    with pytest.raises(ConversionError, match="cannot read ONNX model"):
        convert(bad, None)
