"""Normalization to the .ecnn operator forms (docs/format.md, "Operators"),
across the opsets where ONNX moved parameters from attributes to inputs.
Each case checks the written nodes and, through onnxruntime, the numerics."""

import math

import numpy as np
import pytest
from onnx import helper

from edgecnn.convert import convert
from edgecnn.ecnn_file import read_ecnn
from test_convert_reference import assert_same_outputs, make_model, random_input

I64 = np.int64
F32 = np.float32
WEIGHTS = random_input((4, 3, 3, 3), seed=5)
TRANSPOSED_WEIGHTS = random_input((3, 2, 3, 3), seed=6)
RESIZE_DEFAULTS = {"coordinate_transformation_mode": "half_pixel", "nearest_mode": "round_prefer_floor"}
N = helper.make_node

# id: (nodes, initializers, opset, input shape, outputs, expected [(op_type, attrs)])
CASES = {
    "slice-int64-max-and-negative": (
        [N("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
        {"st": np.array([1, -3], I64), "en": np.array([2**63 - 1, -1], I64), "ax": np.array([1, -1], I64), "sp": np.array([1, 1], I64)},
        13, (1, 3, 8, 8), ["y"],
        [("Slice", {"starts": [1, 5], "ends": [3, 7], "axes": [1, 3], "steps": [1, 1]})],
    ),
    "slice-negative-step-to-start": (
        [N("Slice", ["x", "st", "en", "ax", "sp"], ["y"])],
        {"st": np.array([-1], I64), "en": np.array([-(2**63)], I64), "ax": np.array([3], I64), "sp": np.array([-2], I64)},
        13, (1, 3, 8, 8), ["y"],
        [("Slice", {"starts": [7], "ends": [-9], "axes": [3], "steps": [-2]})],
    ),
    "slice-opset9-attributes": (
        [N("Slice", ["x"], ["y"], starts=[2], ends=[100], axes=[2])],
        {}, 9, (1, 3, 8, 8), ["y"],
        [("Slice", {"starts": [2], "ends": [8], "axes": [2], "steps": [1]})],
    ),
    "split-opset11-attribute": (
        [N("Split", ["x"], ["y", "z"], axis=1, split=[1, 2])], {}, 11, (1, 3, 8, 8), ["y", "z"],
        [("Split", {"axis": 1, "split": [1, 2]})],
    ),
    "split-opset13-input": (
        [N("Split", ["x", "s"], ["y", "z"], axis=-3)], {"s": np.array([2, 1], I64)}, 13, (1, 3, 8, 8), ["y", "z"],
        [("Split", {"axis": 1, "split": [2, 1]})],
    ),
    "split-opset13-equal": (
        [N("Split", ["x"], ["y", "z"], axis=2)], {}, 13, (1, 3, 8, 8), ["y", "z"],
        [("Split", {"axis": 2, "split": [4, 4]})],
    ),
    "split-opset18-num-outputs-uneven": (
        [N("Split", ["x"], ["y", "z", "w"], axis=3, num_outputs=3)], {}, 18, (1, 3, 8, 8), ["y", "z", "w"],
        [("Split", {"axis": 3, "split": [3, 3, 2]})],
    ),
    "squeeze-opset11-attribute": (
        [N("MaxPool", ["x"], ["p"], kernel_shape=[8, 8]), N("Squeeze", ["p"], ["y"], axes=[-1, 2])],
        {}, 11, (1, 3, 8, 8), ["y"],
        [("MaxPool", {"kernel_shape": [8, 8], "strides": [1, 1], "pads": [0, 0, 0, 0]}), ("Squeeze", {"axes": [2, 3]})],
    ),
    "squeeze-opset13-no-axes": (
        [N("Squeeze", ["x"], ["y"])], {}, 13, (1, 3, 1, 8), ["y"], [("Squeeze", {"axes": [0, 2]})],
    ),
    "unsqueeze-opset13-input": (
        [N("Unsqueeze", ["x", "a"], ["y"])], {"a": np.array([-1, 0], I64)}, 13, (1, 3, 8, 8), ["y"],
        [("Unsqueeze", {"axes": [0, 5]})],
    ),
    "reduce-mean-keepdims-to-global-average-pool": (
        [N("ReduceMean", ["x"], ["y"], axes=[2, 3], keepdims=1)], {}, 13, (1, 3, 8, 8), ["y"],
        [("GlobalAveragePool", {})],
    ),
    "reduce-mean-opset18-no-keepdims": (
        [N("ReduceMean", ["x", "a"], ["y"], keepdims=0)], {"a": np.array([-1, -2], I64)}, 18, (1, 3, 8, 8), ["y"],
        [("GlobalAveragePool", {}), ("Reshape", {"shape": [1, 3]})],
    ),
    "resize-scales": (
        [N("Resize", ["x", "", "s"], ["y"], mode="nearest")], {"s": np.array([1, 1, 2, 2], F32)}, 13, (1, 3, 8, 8), ["y"],
        [("Resize", {"mode": "nearest", **RESIZE_DEFAULTS, "scales": [1.0, 1.0, 2.0, 2.0]})],
    ),
    "resize-sizes-with-empty-roi-and-scales": (
        [N("Resize", ["x", "roi", "s", "sz"], ["y"], mode="linear", coordinate_transformation_mode="align_corners")],
        {"roi": np.array([], F32), "s": np.array([], F32), "sz": np.array([1, 3, 5, 12], I64)}, 11, (1, 3, 8, 8), ["y"],
        [("Resize", {"mode": "linear", "coordinate_transformation_mode": "align_corners", "nearest_mode": "round_prefer_floor", "sizes": [1, 3, 5, 12]})],
    ),
    "resize-opset18-axes": (
        [N("Resize", ["x", "", "s"], ["y"], mode="nearest", axes=[3, 2])], {"s": np.array([2, 0.5], F32)}, 18, (1, 3, 8, 8), ["y"],
        [("Resize", {"mode": "nearest", **RESIZE_DEFAULTS, "scales": [1.0, 1.0, 0.5, 2.0]})],
    ),
    "upsample-opset9-upgraded": (
        [N("Upsample", ["x", "s"], ["y"], mode="nearest")], {"s": np.array([1, 1, 2, 2], F32)}, 9, (1, 3, 8, 8), ["y"],
        [("Resize", {"mode": "nearest", **RESIZE_DEFAULTS, "scales": [1.0, 1.0, 2.0, 2.0]})],
    ),
    "pad-constant-inputs": (
        [N("Pad", ["x", "p", "v"], ["y"])], {"p": np.array([0, 0, 1, 2, 0, 0, 3, 4], I64), "v": np.array(0.5, F32)},
        13, (1, 3, 8, 8), ["y"], [("Pad", {"mode": "constant", "pads": [0, 0, 1, 2, 0, 0, 3, 4], "value": 0.5})],
    ),
    "pad-opset10-attributes": (
        [N("Pad", ["x"], ["y"], mode="reflect", pads=[0, 0, 1, 2, 0, 0, 3, 4])], {}, 10, (1, 3, 8, 8), ["y"],
        [("Pad", {"mode": "reflect", "pads": [0, 0, 1, 2, 0, 0, 3, 4]})],
    ),
    "pad-opset18-axes": (
        [N("Pad", ["x", "p", "", "a"], ["y"], mode="edge")], {"p": np.array([1, 2, 3, 4], I64), "a": np.array([2, -1], I64)},
        18, (1, 3, 8, 8), ["y"], [("Pad", {"mode": "edge", "pads": [0, 0, 1, 2, 0, 0, 3, 4]})],
    ),
    "clip-opset6-attributes": (
        [N("Clip", ["x"], ["y"], min=-0.5, max=0.5)], {}, 6, (1, 3, 8, 8), ["y"], [("Clip", {"min": -0.5, "max": 0.5})],
    ),
    "clip-max-only": (
        [N("Clip", ["x", "", "hi"], ["y"])], {"hi": np.array(0.25, F32)}, 13, (1, 3, 8, 8), ["y"], [("Clip", {"max": 0.25})],
    ),
    "conv-same-upper": (
        [N("Conv", ["x", "W"], ["y"], auto_pad="SAME_UPPER", strides=[2, 2])], {"W": WEIGHTS}, 13, (1, 3, 8, 8), ["y"],
        [("Conv", {"kernel_shape": [3, 3], "strides": [2, 2], "dilations": [1, 1], "pads": [0, 0, 1, 1], "group": 1})],
    ),
    "maxpool-same-lower": (
        [N("MaxPool", ["x"], ["y"], auto_pad="SAME_LOWER", kernel_shape=[2, 2])], {}, 13, (1, 3, 8, 8), ["y"],
        [("MaxPool", {"kernel_shape": [2, 2], "strides": [1, 1], "pads": [1, 1, 0, 0]})],
    ),
    "averagepool-valid": (
        [N("AveragePool", ["x"], ["y"], auto_pad="VALID", kernel_shape=[3, 3], strides=[2, 2], count_include_pad=1)],
        {}, 13, (1, 3, 8, 8), ["y"],
        [("AveragePool", {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [0, 0, 0, 0], "count_include_pad": 1})],
    ),
    "conv-transpose-same-upper": (
        [N("ConvTranspose", ["x", "W"], ["y"], auto_pad="SAME_UPPER", strides=[2, 2])], {"W": TRANSPOSED_WEIGHTS},
        13, (1, 3, 8, 8), ["y"],
        [("ConvTranspose", {"kernel_shape": [3, 3], "strides": [2, 2], "dilations": [1, 1], "pads": [0, 0, 1, 1], "output_padding": [0, 0], "group": 1})],
    ),
    "conv-transpose-output-shape": (
        [N("ConvTranspose", ["x", "W"], ["y"], output_shape=[15, 16], strides=[2, 2])], {"W": TRANSPOSED_WEIGHTS},
        13, (1, 3, 8, 8), ["y"],
        [("ConvTranspose", {"kernel_shape": [3, 3], "strides": [2, 2], "dilations": [1, 1], "pads": [1, 1, 1, 0], "output_padding": [0, 0], "group": 1})],
    ),
    "softmax-opset11-flattening": (
        [N("Softmax", ["x"], ["y"])], {}, 11, (1, 3, 8, 8), ["y"],
        [("Reshape", {"shape": [1, 192]}), ("Softmax", {"axis": 1}), ("Reshape", {"shape": [1, 3, 8, 8]})],
    ),
    "softmax-opset11-last-axis": (
        [N("Softmax", ["x"], ["y"], axis=3)], {}, 11, (1, 3, 8, 8), ["y"], [("Softmax", {"axis": 3})],
    ),
    "softmax-opset13-default-axis": (
        [N("Softmax", ["x"], ["y"])], {}, 13, (1, 3, 8, 8), ["y"], [("Softmax", {"axis": 3})],
    ),
    "transpose-default-perm": (
        [N("Transpose", ["x"], ["y"])], {}, 13, (1, 3, 8, 8), ["y"], [("Transpose", {"perm": [3, 2, 1, 0]})],
    ),
    "dropout-and-identity-removed": (
        [N("Dropout", ["x"], ["d"]), N("Relu", ["d"], ["i"]), N("Identity", ["i"], ["y"])], {}, 13, (1, 3, 8, 8), ["y"],
        [("Relu", {})],
    ),
    "float-cast-removed": (
        [N("Cast", ["x"], ["c"], to=1), N("Relu", ["c"], ["y"])], {}, 13, (1, 3, 8, 8), ["y"], [("Relu", {})],
    ),
    "flatten-kept": (
        [N("Flatten", ["x"], ["y"], axis=2)], {}, 13, (1, 3, 8, 8), ["y"], [("Flatten", {"axis": 2})],
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", list(CASES))
def test_normalized_form_and_numerics(case):
    nodes, inits, opset, shape, outputs, expected = CASES[case]
    model = make_model(nodes, inits, input_shape=shape, outputs=outputs, opset=opset)
    report = convert(model, None)
    graph = read_ecnn(report.data)
    actual = [(n.op_type, n.attrs) for n in graph.nodes]
    assert len(actual) == len(expected), f"{case}: nodes {actual}"
    for (op, attrs), (want_op, want_attrs) in zip(actual, expected):
        assert op == want_op, f"{case}: {actual}"
        assert attrs.keys() == want_attrs.keys(), f"{case}: {op} attributes {attrs}"
        for key, want in want_attrs.items():
            if isinstance(want, float):
                assert math.isclose(attrs[key], want, rel_tol=1e-6), f"{case}: {op}.{key} = {attrs[key]}"
            else:
                assert attrs[key] == want, f"{case}: {op}.{key} = {attrs[key]}, expected {want}"
    assert [graph.tensors[i].name for i in graph.outputs] == outputs, case
    if opset >= 7:  # onnxruntime runs opset 7 and newer
        assert_same_outputs(model, report.data, random_input(shape), case)


def test_identity_outputs_of_the_input_and_of_a_constant():
    nodes = [N("Identity", ["x"], ["same"]), N("Relu", ["x"], ["y"]), N("Identity", ["c"], ["const"])]
    model = make_model(nodes, {"c": np.arange(3, dtype=F32)}, outputs=["y", "same", "const"])
    report = convert(model, None)
    graph = read_ecnn(report.data)
    names = [graph.tensors[i].name for i in graph.outputs]
    assert names == ["y", "same", "const"]
    kept = [(n.op_type, graph.tensors[n.outputs[0]].name) for n in graph.nodes]
    assert ("Identity", "const") in kept and ("Identity", "same") in kept, kept
    assert_same_outputs(model, report.data, random_input((1, 3, 8, 8)), "identity outputs")


def test_every_native_op_has_a_module_and_the_list_matches_the_spec():
    import pathlib
    import re

    from edgecnn.convert import ops

    spec = (pathlib.Path(__file__).parents[1] / "docs" / "format.md").read_text(encoding="utf-8")
    section = spec.split("Operators of version 1", 1)[1].split("###", 1)[0]
    listed = set(re.findall(r"\b([A-Z][A-Za-z]+)\b", section)) - {"ONNX", "Operators"}
    assert ops.NATIVE_OPS == listed, f"registry vs docs/format.md: {sorted(ops.NATIVE_OPS ^ listed)}"
    missing = sorted(op for op in ops.NATIVE_OPS if ops.module_for(op) is None)
    assert not missing, f"native ops without a module: {missing}"
