"""The OpenVINO backend (docs/backends.md): the network built from the .ecnn
file itself runs on OpenVINO, pre- and post-processing stay in the native core.

- every real-architecture fixture: same raw outputs and same task results on
  both backends;
- every operator of the format (native and fallback) against onnxruntime;
- the fallback path: the converter keeps ops only OpenVINO runs and marks the
  file, and backend="auto" picks OpenVINO for it with one log line;
- options (device, num_threads, cache_dir), validation, runtime_info, and the
  error when OpenVINO is missing.
"""

import json
import logging
import os
import sys
from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import helper

import edgecnn
from edgecnn import backends
from edgecnn._errors import ModelFormatError, UnsupportedOpError
from edgecnn.backends.openvino_ops import supported_ops as openvino_ops
from edgecnn.convert.ops import FALLBACK_OPS, NATIVE_OPS
from edgecnn.ecnn_file import FLAG_NEEDS_FALLBACK, read_ecnn
from parity import run_onnxruntime, tolerance
from single_node import single_node_ecnn
from test_op_conv import CHANNEL_SCALE_ERRORS, channel_scale_conv
from test_convert_reference import make_model
from test_tasks_end_to_end import scene

FIXTURES = Path(__file__).parent / "fixtures" / "models"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())["models"]
NAMES = [m["name"] for m in MANIFEST]
IMAGENET = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
FRAMES = [(240, 320), (333, 197)]
N = helper.make_node
F32, I64 = np.float32, np.int64


def assert_close(got, ref, case):
    assert len(got) == len(ref), f"{case}: {len(got)} outputs, reference has {len(ref)}"
    for i, (g, r) in enumerate(zip(got, ref)):
        r = np.asarray(r, dtype=F32)
        assert g.shape == r.shape, f"{case} output {i}: shape {g.shape} != {r.shape}"
        if not g.size:
            continue
        diff = np.abs(g - r)
        at = np.unravel_index(int(diff.argmax()), diff.shape)
        assert diff.max() <= tolerance(r), (f"{case} output {i}: max|diff| {diff.max():.3g} > {tolerance(r):.3g} "
                                            f"at {at} ({g[at]:.6g} vs {r[at]:.6g})")


# ---------------------------------------------------------------------------
# Real architectures: both backends agree.


@pytest.fixture(scope="module")
def fixture_models(tmp_path_factory):
    """name -> (native Model, openvino Model, manifest entry), converted with edgecnn.convert once."""
    cache = {}

    def get(name):
        if name not in cache:
            entry = next(m for m in MANIFEST if m["name"] == name)
            options = {} if entry["family"] == "ultralytics" else {"task": entry["task"], **IMAGENET}
            out = tmp_path_factory.mktemp(name) / f"{name}.ecnn"
            report = edgecnn.convert(onnx.load(str(FIXTURES / entry["file"])), str(out), **options)
            assert not report.needs_fallback, f"{name}: the native core runs every fixture"
            native = edgecnn.load(out, backend="native")
            openvino = edgecnn.load(out, backend="openvino", device="CPU")
            cache[name] = (native, openvino, entry)
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_fixture_raw_outputs_match(name, fixture_models, rng):
    native, openvino, entry = fixture_models(name)
    assert (native.backend, openvino.backend) == ("native", "openvino")
    assert openvino.output_names == native.output_names
    assert openvino.output_shapes == native.output_shapes
    assert openvino.output_producers == native.output_producers
    assert openvino.metadata == native.metadata
    for trial in range(2):
        x = rng.standard_normal(entry["input_shape"]).astype(F32)
        if entry["family"] == "ultralytics":
            x = rng.random(entry["input_shape"], dtype=F32)
        ref = native.forward(x)
        got = openvino.forward(x)
        assert all(g.dtype == F32 for g in got)
        assert_close(got, ref, f"{name} trial {trial}")
        # Subsets of outputs, in the order asked.
        order = list(reversed(range(len(ref))))
        assert_close(openvino.forward(x, outputs=order), [ref[i] for i in order], f"{name} reversed outputs")


def match_detections(a, b, case):
    """Pairs every detection of `a` with one of `b` of the same class, box within
    1e-2 px and score within 1e-3 (the closest score among boxes clipped alike)."""
    assert len(a) == len(b), f"{case}: {len(a)} detections natively, {len(b)} on OpenVINO"
    used, pairs = set(), []
    for i in range(len(a)):
        dist = np.abs(b.boxes - a.boxes[i]).max(axis=1)
        score_diff = np.abs(b.scores - a.scores[i])
        candidates = [j for j in np.argsort(score_diff, kind="stable")
                      if j not in used and b.class_ids[j] == a.class_ids[i] and dist[j] <= 1e-2]
        assert candidates and score_diff[candidates[0]] <= 1e-3, (
            f"{case}: native detection {i} (class {a.class_ids[i]}, score {a.scores[i]:.4f}, box {a.boxes[i]}) "
            "has no OpenVINO match")
        used.add(int(candidates[0]))
        pairs.append((i, int(candidates[0])))
    return pairs


# yolo11n's random weights blow up on the full-contrast scenes: hundreds of
# class scores round to exactly 1.0 in float32 and its box coordinates carry
# 0.02-0.03 px of float32 noise between any two implementations (the native
# core and onnxruntime differ as much), so which of two tied boxes survives NMS
# is arbitrary there. Its task comparison runs on low-contrast versions of the
# same scenes, where it is well-posed (no ties, box noise < 1e-3 px);
# test_yolo11n_full_contrast_scenes_still_match_raw shows the raw outputs on
# the full-contrast scenes agree within the raw tolerance.
LOW_CONTRAST = {"yolo11n"}


def task_frame(name, hw):
    frame = scene(*hw, seed=hw[0] + len(name))
    return (frame // 8 + 100).astype(np.uint8) if name in LOW_CONTRAST else frame


@pytest.mark.parametrize("hw", FRAMES)
def test_yolo11n_full_contrast_scenes_still_match_raw(hw, fixture_models):
    from edgecnn.api import _runner

    native, openvino, _ = fixture_models("yolo11n")
    tensor, _ = _runner(native, "detect").preprocess(scene(*hw, seed=hw[0] + len("yolo11n")), "bgr")
    assert_close(openvino.forward(tensor), native.forward(tensor), f"yolo11n scene {hw}")


@pytest.mark.parametrize("hw", FRAMES)
@pytest.mark.parametrize("name", NAMES)
def test_fixture_task_results_match(name, hw, fixture_models):
    native, openvino, entry = fixture_models(name)
    task = native.task
    assert task == entry["task"]
    frame = task_frame(name, hw)
    case = f"{name} {task} frame {hw}"
    if task == "classify":
        a = edgecnn.run("classify", frame, model=native, top_k=5)
        b = edgecnn.run("classify", frame, model=openvino, top_k=5)
        np.testing.assert_array_equal(b.class_ids, a.class_ids, err_msg=case)
        np.testing.assert_allclose(b.scores, a.scores, atol=1e-4, err_msg=case)
        assert b.labels == a.labels
    elif task == "segment":
        a = edgecnn.run("segment", frame, model=native, segment_scores=True)
        b = edgecnn.run("segment", frame, model=openvino, segment_scores=True)
        assert b.mask.shape == a.mask.shape == hw
        # Pixels whose two best classes are within numeric noise may differ.
        top2 = np.sort(a.scores, axis=0)[-2:]
        decided = (top2[1] - top2[0]) > 1e-3
        assert decided.mean() > 0.9, case
        np.testing.assert_array_equal(b.mask[decided], a.mask[decided], err_msg=case)
        np.testing.assert_allclose(b.scores, a.scores, atol=1e-3, err_msg=case)
    else:
        a = edgecnn.run(task, frame, model=native, conf=0.3)
        b = edgecnn.run(task, frame, model=openvino, conf=0.3)
        assert type(a) is type(b)
        assert len(a) > 0, f"{case}: nothing detected; the comparison would be empty"
        pairs = match_detections(a, b, case)
        if task == "instance":
            full_a, full_b = a.full_masks(), b.full_masks()
            for i, j in pairs:
                inter = np.logical_and(full_a[i], full_b[j]).sum()
                union = np.logical_or(full_a[i], full_b[j]).sum()
                iou = 1.0 if union == 0 else inter / union
                assert iou >= 0.99, f"{case} instance {i}: mask IoU {iou:.4f}"


# ---------------------------------------------------------------------------
# Every operator of the format, against onnxruntime.

WEIGHTS = np.random.default_rng(1).standard_normal((6, 3, 3, 3)).astype(F32) * 0.3
DW_WEIGHTS = np.random.default_rng(2).standard_normal((6, 1, 3, 3)).astype(F32) * 0.3
T_WEIGHTS = np.random.default_rng(3).standard_normal((6, 2, 3, 3)).astype(F32) * 0.3
BIAS = np.linspace(-0.5, 0.5, 6).astype(F32)
SLOPE = np.array([0.1, 0.2, 0.3], F32).reshape(3, 1, 1)
BN = {"s": np.array([1.5, 0.5, 2.0], F32), "b": np.array([0.1, -0.2, 0.3], F32),
      "m": np.array([0.05, 0.1, -0.1], F32), "v": np.array([1.0, 2.0, 0.5], F32)}
BN6 = {k + "6": np.tile(v, 2) for k, v in BN.items()}
LN = {"ls": np.linspace(0.5, 1.5, 8).astype(F32), "lb": np.linspace(-0.2, 0.2, 8).astype(F32)}
CONV_BN = [N("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1]), N("BatchNormalization", ["c", "s6", "b6", "m6", "v6"], ["n"])]
CONV_INITS = {"W": WEIGHTS, "B": BIAS, **BN6}
POSITIVE = "positive"

# id: (nodes, initializers, opset, input shape, outputs, input kind)
OP_CASES = {
    "conv-bias-stride-dilation": ([N("Conv", ["x", "W", "B"], ["y"], strides=[2, 2], dilations=[2, 2], pads=[2, 1, 1, 2])],
                                  {"W": WEIGHTS, "B": BIAS}, 17, (1, 3, 11, 10), ["y"], None),
    "conv-depthwise-group": ([N("Conv", ["x", "W"], ["y"], group=3, pads=[1, 1, 1, 1])],
                             {"W": DW_WEIGHTS[:6].reshape(6, 1, 3, 3)}, 17, (1, 3, 8, 8), ["y"], None),
    "conv-bn-relu": (CONV_BN + [N("Relu", ["n"], ["y"])], CONV_INITS, 17, (1, 3, 8, 8), ["y"], None),
    "conv-clip-relu6": (CONV_BN + [N("Clip", ["n", "lo", "hi"], ["y"])],
                        {**CONV_INITS, "lo": np.array(0, F32), "hi": np.array(6, F32)}, 17, (1, 3, 8, 8), ["y"], None),
    "conv-silu": (CONV_BN + [N("Sigmoid", ["n"], ["sg"]), N("Mul", ["n", "sg"], ["y"])], CONV_INITS, 17,
                  (1, 3, 8, 8), ["y"], None),
    "conv-leaky-relu": (CONV_BN + [N("LeakyRelu", ["n"], ["y"], alpha=0.2)], CONV_INITS, 17, (1, 3, 8, 8), ["y"], None),
    "conv-hard-sigmoid": (CONV_BN + [N("HardSigmoid", ["n"], ["y"], alpha=0.3, beta=0.4)], CONV_INITS, 17,
                          (1, 3, 8, 8), ["y"], None),
    "conv-hard-swish": (CONV_BN + [N("HardSwish", ["n"], ["y"])], CONV_INITS, 17, (1, 3, 8, 8), ["y"], None),
    "conv-tanh-sigmoid": (CONV_BN + [N("Tanh", ["n"], ["t"]), N("Conv", ["t", "W2"], ["c2"]), N("Sigmoid", ["c2"], ["y"])],
                          {**CONV_INITS, "W2": np.ones((2, 6, 1, 1), F32) * 0.2}, 17, (1, 3, 8, 8), ["y"], None),
    "conv-residual-then-relu": ([N("Conv", ["x", "W3"], ["c"], pads=[1, 1, 1, 1]), N("Add", ["c", "x"], ["a"]),
                                 N("Relu", ["a"], ["y"])], {"W3": WEIGHTS[:3]}, 17, (1, 3, 8, 8), ["y"], None),
    "conv-relu-then-residual": ([N("Conv", ["x", "W3"], ["c"], pads=[1, 1, 1, 1]), N("Relu", ["c"], ["r"]),
                                 N("Add", ["x", "r"], ["y"])], {"W3": WEIGHTS[:3]}, 17, (1, 3, 8, 8), ["y"], None),
    "conv-squeeze-excitation": ([N("GlobalAveragePool", ["x"], ["g"]), N("Conv", ["g", "Wr"], ["r"]), N("Relu", ["r"], ["rr"]),
                                 N("Conv", ["rr", "We"], ["e"]), N("Sigmoid", ["e"], ["s"]), N("Mul", ["x", "s"], ["m"]),
                                 N("Conv", ["m", "W2", "B2"], ["y"])],
                                {"Wr": WEIGHTS[:2, :, :1, :1], "We": WEIGHTS[:3, :2, 1:2, 1:2],
                                 "W2": WEIGHTS[3:5, :, 2:, 2:], "B2": BIAS[:2]}, 17, (1, 3, 8, 8), ["y"], None),
    "conv-transpose-group-output-padding": (
        [N("ConvTranspose", ["x", "W", "B"], ["y"], group=3, strides=[2, 2], pads=[1, 0, 0, 1], output_padding=[1, 1])],
        {"W": T_WEIGHTS, "B": BIAS}, 17, (1, 6, 5, 6), ["y"], None),
    "conv-transpose-bn": ([N("ConvTranspose", ["x", "W"], ["c"], strides=[2, 2]),
                           N("BatchNormalization", ["c", "s", "b", "m", "v"], ["y"])],
                          {"W": T_WEIGHTS[:3, :1].repeat(3, axis=1)[:, :3], **BN}, 17, (1, 3, 4, 4), ["y"], None),
    "gemm-trans-alpha-beta": ([N("Gemm", ["x", "G", "C"], ["y"], transB=1, alpha=0.5, beta=2.0)],
                              {"G": np.arange(20, dtype=F32).reshape(4, 5) / 20, "C": np.ones(4, F32)}, 17, (2, 5),
                              ["y"], None),
    "gemm-trans-a": ([N("Gemm", ["x", "G"], ["y"], transA=1)], {"G": np.ones((2, 3), F32) / 3}, 17, (2, 4), ["y"], None),
    "matmul-broadcast": ([N("MatMul", ["x", "M"], ["y"])], {"M": np.ones((8, 5), F32) / 8}, 17, (1, 3, 4, 8), ["y"], None),
    "batch-normalization": ([N("BatchNormalization", ["x", "s", "b", "m", "v"], ["y"], epsilon=1e-3)], BN, 17,
                            (1, 3, 5, 5), ["y"], None),
    "activations": ([N("Relu", ["x"], ["r"]), N("Sigmoid", ["x"], ["s"]), N("Tanh", ["x"], ["t"]),
                     N("HardSwish", ["x"], ["h"]), N("HardSigmoid", ["x"], ["hs"]), N("LeakyRelu", ["x"], ["l"]),
                     N("Clip", ["x", "", "hi"], ["c"]), N("PRelu", ["x", "p"], ["pr"]),
                     N("Sigmoid", ["x"], ["sg"]), N("Mul", ["sg", "x"], ["silu"])],
                    {"hi": np.array(0.5, F32), "p": SLOPE}, 17, (1, 3, 4, 4),
                    ["r", "s", "t", "h", "hs", "l", "c", "pr", "silu"], None),
    "binary-broadcast": ([N("Add", ["x", "k"], ["a"]), N("Sub", ["k", "x"], ["s"]), N("Mul", ["x", "x"], ["m"]),
                          N("Div", ["x", "d"], ["d2"])],
                         {"k": np.array([1.0, 2.0, 3.0], F32).reshape(3, 1, 1), "d": np.array(4.0, F32)}, 17,
                         (1, 3, 4, 4), ["a", "s", "m", "d2"], None),
    "max-pool-ceil-pads-dilation": ([N("MaxPool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1],
                                       ceil_mode=1), N("MaxPool", ["x"], ["z"], kernel_shape=[2, 2], dilations=[2, 2])],
                                    {}, 17, (1, 3, 8, 9), ["y", "z"], None),
    "average-pool-ceil-include-pad": ([N("AveragePool", ["x"], ["y"], kernel_shape=[3, 3], strides=[2, 2],
                                         pads=[1, 1, 1, 1], ceil_mode=1, count_include_pad=1),
                                       N("AveragePool", ["x"], ["z"], kernel_shape=[3, 3], strides=[2, 2],
                                         pads=[1, 1, 1, 1], ceil_mode=1)], {}, 17, (1, 3, 8, 9), ["y", "z"], None),
    "global-average-pool": ([N("GlobalAveragePool", ["x"], ["y"])], {}, 17, (1, 3, 5, 7), ["y"], None),
    "concat-split-slice": ([N("Concat", ["x", "k"], ["c"], axis=-3), N("Split", ["c", "sp"], ["a", "b"], axis=1),
                            N("Slice", ["b", "st", "en", "ax", "stp"], ["y"])],
                           {"k": np.ones((1, 2, 6, 6), F32), "sp": np.array([1, 4], I64), "st": np.array([-1, 1], I64),
                            "en": np.array([-100, 5], I64), "ax": np.array([3, 2], I64), "stp": np.array([-2, 2], I64)},
                           13, (1, 3, 6, 6), ["a", "y"], None),
    "split-equal": ([N("Split", ["x"], ["a", "b", "c"], axis=3)], {}, 13, (1, 2, 2, 6), ["a", "b", "c"], None),
    "reshape-flatten-transpose": ([N("Reshape", ["x", "sh"], ["r"]), N("Transpose", ["r"], ["t"], perm=[0, 2, 1]),
                                   N("Flatten", ["t"], ["y"], axis=2), N("Transpose", ["x"], ["z"])],
                                  {"sh": np.array([1, 0, -1], I64)}, 17, (1, 3, 4, 5), ["y", "z"], None),
    "squeeze-unsqueeze": ([N("Unsqueeze", ["x", "ua"], ["u"]), N("Squeeze", ["u", "sa"], ["y"]),
                           N("Squeeze", ["x"], ["z"])],
                          {"ua": np.array([0, -1], I64), "sa": np.array([0], I64)}, 13, (1, 3, 1, 4), ["y", "z"], None),
    "resize-nearest-asymmetric-floor": ([N("Resize", ["x", "", "sc"], ["y"], mode="nearest",
                                           coordinate_transformation_mode="asymmetric", nearest_mode="floor")],
                                        {"sc": np.array([1, 1, 2, 2], F32)}, 17, (1, 3, 5, 6), ["y"], None),
    "resize-nearest-half-pixel": ([N("Resize", ["x", "", "sc"], ["y"], mode="nearest")],
                                  {"sc": np.array([1, 1, 3, 0.5], F32)}, 17, (1, 3, 5, 6), ["y"], None),
    "resize-nearest-ceil-pytorch": ([N("Resize", ["x", "", "sc"], ["y"], mode="nearest", nearest_mode="ceil",
                                       coordinate_transformation_mode="pytorch_half_pixel")],
                                    {"sc": np.array([1, 1, 1.5, 2], F32)}, 17, (1, 3, 4, 6), ["y"], None),
    "resize-linear-half-pixel": ([N("Resize", ["x", "", "sc"], ["y"], mode="linear")],
                                 {"sc": np.array([1, 1, 2, 0.5], F32)}, 17, (1, 3, 5, 8), ["y"], None),
    "resize-linear-align-corners-sizes": ([N("Resize", ["x", "", "", "sz"], ["y"], mode="linear",
                                             coordinate_transformation_mode="align_corners")],
                                          {"sz": np.array([1, 3, 9, 5], I64)}, 17, (1, 3, 5, 8), ["y"], None),
    "resize-nearest-prefer-ceil-sizes": ([N("Resize", ["x", "", "", "sz"], ["y"], mode="nearest",
                                            nearest_mode="round_prefer_ceil")],
                                         {"sz": np.array([1, 3, 10, 3], I64)}, 17, (1, 3, 5, 8), ["y"], None),
    "softmax-axes": ([N("Softmax", ["x"], ["a"], axis=1), N("Softmax", ["x"], ["b"])], {}, 17, (1, 3, 4, 5),
                     ["a", "b"], None),
    "pad-modes": ([N("Pad", ["x", "p", "v"], ["a"]), N("Pad", ["x", "p"], ["b"], mode="reflect"),
                   N("Pad", ["x", "p"], ["c"], mode="edge")],
                  {"p": np.array([0, 0, 1, 2, 0, 0, 2, 1], I64), "v": np.array(0.5, F32)}, 17, (1, 3, 4, 5),
                  ["a", "b", "c"], None),
    "identity-output": ([N("Identity", ["x"], ["y"])], {}, 17, (1, 3, 2, 2), ["y"], None),
    # Fallback operators (docs/format.md, "Fallback operators").
    "unary-fallback": ([N("Abs", ["x"], ["a"]), N("Neg", ["x"], ["n"]), N("Exp", ["x"], ["e"]), N("Erf", ["x"], ["f"]),
                        N("Mish", ["x"], ["m"]), N("Softplus", ["x"], ["s"]), N("Elu", ["x"], ["el"], alpha=0.7)],
                       {}, 18, (1, 3, 4, 4), ["a", "n", "e", "f", "m", "s", "el"], None),
    "positive-fallback": ([N("Log", ["x"], ["l"]), N("Sqrt", ["x"], ["s"]), N("Reciprocal", ["x"], ["r"]),
                           N("Pow", ["x", "e"], ["p"]), N("Pow", ["x", "h"], ["q"])],
                          {"e": np.array(2, I64), "h": np.array(0.5, F32)}, 17, (1, 3, 4, 4), ["l", "s", "r", "p", "q"],
                          POSITIVE),
    "min-max": ([N("Min", ["x", "k"], ["a"]), N("Max", ["x", "k", "k2"], ["b"])],
                {"k": np.array([0.1, 0.0, -0.1], F32).reshape(3, 1, 1), "k2": np.array(0.3, F32)}, 17, (1, 3, 4, 4),
                ["a", "b"], None),
    "gelu": ([N("Gelu", ["x"], ["a"]), N("Gelu", ["x"], ["b"], approximate="tanh")], {}, 20, (1, 3, 4, 4),
             ["a", "b"], None),
    "gelu-as-erf-pattern": ([N("Div", ["x", "r2"], ["d"]), N("Erf", ["d"], ["e"]), N("Add", ["e", "one"], ["a"]),
                             N("Mul", ["x", "a"], ["m"]), N("Mul", ["m", "half"], ["y"])],
                            {"r2": np.array(np.sqrt(2), F32), "one": np.array(1, F32), "half": np.array(0.5, F32)},
                            17, (1, 3, 4, 4), ["y"], None),
    "layer-normalization": ([N("LayerNormalization", ["x", "ls", "lb"], ["a"], epsilon=1e-3),
                             N("LayerNormalization", ["x", "s2"], ["b"], axis=2)],
                            {**LN, "s2": np.linspace(0.5, 1.5, 32).astype(F32).reshape(4, 8)}, 17, (1, 3, 4, 8),
                            ["a", "b"], None),
    "reduce-opset13": ([N("ReduceMean", ["x"], ["a"], axes=[1]), N("ReduceMax", ["x"], ["b"], axes=[-1, 2], keepdims=0),
                        N("ReduceSum", ["x", "ax"], ["c"], keepdims=0)],
                       {"ax": np.array([1, 3], I64)}, 13, (1, 3, 4, 5), ["a", "b", "c"], None),
    "reduce-opset18": ([N("ReduceMean", ["x", "ax"], ["a"], keepdims=0), N("ReduceMax", ["x"], ["b"]),
                        N("ReduceSum", ["x", "ax"], ["c"])],
                       {"ax": np.array([-1], I64)}, 18, (1, 3, 4, 5), ["a", "b", "c"], None),
}


def case_input(shape, kind, seed=0):
    rng = np.random.default_rng(seed)
    if kind == POSITIVE:
        return rng.uniform(0.2, 3.0, shape).astype(F32)
    return rng.standard_normal(shape).astype(F32)


@pytest.mark.parametrize("case", list(OP_CASES))
def test_operator_matches_onnxruntime(case, tmp_path):
    nodes, inits, opset, shape, outputs, kind = OP_CASES[case]
    proto = make_model(nodes, inits, input_shape=shape, outputs=outputs, opset=opset)
    report = edgecnn.convert(proto, tmp_path / "m.ecnn")
    data = report.data
    x = case_input(shape, kind)
    ref = run_onnxruntime(proto, {"x": x})
    model = edgecnn.load(data, backend="openvino")
    assert_close(model.forward(x), ref, f"{case} openvino")
    fallback = {n.op_type for n in read_ecnn(data).nodes} - NATIVE_OPS
    assert report.needs_fallback == bool(fallback)
    assert bool(read_ecnn(data).flags & FLAG_NEEDS_FALLBACK) == bool(fallback)
    if fallback:
        assert set(report.fallback_ops) == fallback and fallback <= FALLBACK_OPS
        with pytest.raises(UnsupportedOpError):
            edgecnn.load(data, backend="native")
    else:
        assert_close(edgecnn.load(data, backend="native").forward(x), ref, f"{case} native")


def test_cases_cover_every_operator_of_the_format(tmp_path):
    seen = set()
    for case, (nodes, inits, opset, shape, outputs, _) in OP_CASES.items():
        data = edgecnn.convert(make_model(nodes, inits, input_shape=shape, outputs=outputs, opset=opset), None).data
        seen |= {n.op_type for n in read_ecnn(data).nodes}
    assert NATIVE_OPS | FALLBACK_OPS <= seen, f"no case writes {sorted((NATIVE_OPS | FALLBACK_OPS) - seen)}"


def test_every_operator_of_the_format_has_an_openvino_mapper():
    assert set(edgecnn._core.supported_ops()) <= NATIVE_OPS
    assert NATIVE_OPS | FALLBACK_OPS <= set(openvino_ops())
    assert not NATIVE_OPS & FALLBACK_OPS


# Fused-Conv attribute forms the converter does not write (defaults left out,
# R a constant): the two backends agree.
R = np.random.default_rng(4).standard_normal((1, 6, 8, 8)).astype(F32)


@pytest.mark.parametrize("attrs, with_residual", [
    ({"activation": "Clip"}, False),
    ({"activation": "Clip", "activation_beta": 0.25}, False),
    ({"activation": "HardSigmoid"}, False),
    ({"activation": "LeakyRelu"}, True),
    ({"activation": "SiLU", "residual_after_activation": 1}, True),
    ({"activation": "Tanh", "residual_after_activation": 0}, True),
    ({"activation": "", "strides": [1, 1]}, True),
    ({}, False),
])
def test_fused_conv_attribute_defaults(attrs, with_residual):
    constants = [WEIGHTS, None] + ([R] if with_residual else [])
    data = single_node_ecnn("Conv", (1, 3, 8, 8), {"pads": [1, 1, 1, 1], **attrs}, constants)
    x = case_input((1, 3, 8, 8), None, seed=5)
    ref = edgecnn.load(data, backend="native").forward(x)
    assert_close(edgecnn.load(data, backend="openvino").forward(x), ref, f"Conv {attrs}")


@pytest.mark.parametrize("weights, attrs, scale_shape, match", CHANNEL_SCALE_ERRORS)
def test_channel_scale_input_is_validated_at_load(weights, attrs, scale_shape, match):
    with pytest.raises(edgecnn.ModelFormatError, match=match):
        edgecnn.load(channel_scale_conv(weights, attrs, scale_shape), backend="openvino")


# onnxruntime no longer runs tf_half_pixel_for_nearest: the native core is the reference.
@pytest.mark.parametrize("attrs", [
    {"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nearest", "scales": [1.0, 1.0, 2.0, 1.5]},
    {"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nearest", "sizes": [1, 3, 3, 11]},
    {"mode": "linear", "coordinate_transformation_mode": "asymmetric", "scales": [1.0, 1.0, 0.5, 2.5]},
])
def test_resize_forms_onnxruntime_lacks(attrs):
    data = single_node_ecnn("Resize", (1, 3, 5, 6), {"nearest_mode": "round_prefer_floor", **attrs})
    x = case_input((1, 3, 5, 6), None, seed=6)
    assert_close(edgecnn.load(data, backend="openvino").forward(x), edgecnn.load(data, backend="native").forward(x),
                 f"Resize {attrs}")


# ---------------------------------------------------------------------------
# The fallback path: convert → mark → auto picks OpenVINO, end to end.


def erf_classifier():
    """Conv → Erf → GlobalAveragePool → Flatten → Gemm → Softmax: a classifier
    with an op (Erf) the native core lacks."""
    rng = np.random.default_rng(7)
    nodes = [N("Conv", ["x", "W", "B"], ["c"], pads=[1, 1, 1, 1], strides=[2, 2], name="conv"),
             N("Erf", ["c"], ["e"], name="erf"),
             N("GlobalAveragePool", ["e"], ["g"], name="pool"), N("Flatten", ["g"], ["f"], name="flatten"),
             N("Gemm", ["f", "G", "GB"], ["logits"], transB=1, name="fc"), N("Softmax", ["logits"], ["probs"], axis=1)]
    inits = {"W": rng.standard_normal((8, 3, 3, 3)).astype(F32), "B": rng.standard_normal(8).astype(F32),
             "G": rng.standard_normal((5, 8)).astype(F32) * 3, "GB": rng.standard_normal(5).astype(F32)}
    return make_model(nodes, inits, input_shape=(1, 3, 32, 32), outputs=["probs"])


LABELS = ["cat", "dog", "bird", "fish", "fox"]


@pytest.fixture(scope="module")
def erf_model_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("erf") / "erf_classifier.ecnn"
    report = edgecnn.convert(erf_classifier(), path, task="classify", labels=LABELS)
    assert report.needs_fallback and report.fallback_ops == {"Erf": 1}
    return path


def test_converter_marks_the_file_and_says_so(erf_model_path):
    graph = read_ecnn(erf_model_path.read_bytes())
    assert graph.flags == FLAG_NEEDS_FALLBACK
    assert [n.op_type for n in graph.nodes if n.op_type not in NATIVE_OPS] == ["Erf"]
    report = edgecnn.convert(erf_classifier(), None, task="classify", labels=LABELS)
    assert "OpenVINO" in report.summary() and "Erf 1" in report.summary()
    plain = edgecnn.convert(make_model([N("Relu", ["x"], ["y"])]), None)
    assert not plain.needs_fallback and read_ecnn(plain.data).flags == 0


def test_cli_convert_says_the_model_needs_the_fallback(tmp_path, capsys):
    from edgecnn.cli import main

    onnx.save(erf_classifier(), str(tmp_path / "m.onnx"))
    assert main(["convert", str(tmp_path / "m.onnx"), "-o", str(tmp_path / "m.ecnn")]) == 0
    out = capsys.readouterr().out
    assert "needs the OpenVINO fallback" in out and "Erf" in out
    assert read_ecnn((tmp_path / "m.ecnn").read_bytes()).flags == FLAG_NEEDS_FALLBACK


def test_converter_still_rejects_ops_neither_backend_runs():
    nodes = [N("Erf", ["x"], ["e"], name="erf"), N("ArgMax", ["e"], ["a"], name="argmax", axis=1),
             N("Cast", ["a"], ["y"], name="cast", to=onnx.TensorProto.FLOAT),
             N("Resize", ["y", "", "sc"], ["z"], name="cubic", mode="cubic")]
    proto = make_model(nodes, {"sc": np.array([1, 1, 2, 2], F32)}, outputs=["z"], opset=17)
    with pytest.raises(UnsupportedOpError) as info:
        edgecnn.convert(proto, None)
    listed = sorted(name for _, name, _ in info.value.ops)
    assert listed == ["argmax", "cast", "cubic"], "one error listing every node neither backend runs (not Erf)"


def test_auto_runs_the_fallback_model_end_to_end_and_logs_why(erf_model_path, caplog):
    with caplog.at_level(logging.INFO, logger="edgecnn"):
        model = edgecnn.load(erf_model_path)
    records = [r for r in caplog.records if r.name == "edgecnn"]
    assert len(records) == 1, [r.getMessage() for r in records]
    message = records[0].getMessage()
    assert "openvino" in message and "Erf" in message and "erf_classifier.ecnn" in message
    assert model.backend == "openvino" and model.device == "CPU"
    assert "backend='openvino'" in repr(model)

    frame = scene(120, 160, seed=3)
    result = edgecnn.run("classify", frame, model=model, top_k=5)
    assert isinstance(result, edgecnn.Classification)
    from edgecnn.api import _runner

    tensor, _ = _runner(model, "classify").preprocess(frame, "bgr")
    ref = run_onnxruntime(erf_classifier(), {"x": tensor})[0][0]
    np.testing.assert_array_equal(result.class_ids, np.argsort(-ref, kind="stable")[:5])
    np.testing.assert_allclose(result.scores, np.sort(ref)[::-1][:5], atol=1e-5)
    assert list(result.labels) == [LABELS[i] for i in result.class_ids]


def test_auto_picks_native_when_the_core_runs_every_op(caplog, tmp_path):
    data = edgecnn.convert(make_model([N("Relu", ["x"], ["y"])]), None).data
    with caplog.at_level(logging.INFO, logger="edgecnn"):
        model = edgecnn.load(data)
    assert model.backend == "native" and model.device == "CPU"
    messages = [r.getMessage() for r in caplog.records if r.name == "edgecnn"]
    assert len(messages) == 1 and "native" in messages[0] and "every op" in messages[0]
    assert "backend='native'" in repr(model)


def test_auto_keeps_the_native_error_for_an_unsupported_variant_of_a_native_op():
    # A 3-D Resize: the op type is native, this variant is not; auto does not switch.
    data = single_node_ecnn("Resize", (1, 4, 6), {"mode": "nearest", "scales": [1.0, 1.0, 2.0]})
    with pytest.raises(UnsupportedOpError, match="4-D"):
        edgecnn.load(data)
    x = case_input((1, 4, 6), None)
    assert edgecnn.load(data, backend="openvino").forward(x)[0].shape == (1, 4, 12)


def test_auto_with_a_non_cpu_device_uses_openvino(caplog):
    data = edgecnn.convert(make_model([N("Relu", ["x"], ["y"])]), None).data
    with caplog.at_level(logging.INFO, logger="edgecnn"):
        model = edgecnn.load(data, device="AUTO")
    assert (model.backend, model.device) == ("openvino", "AUTO")
    assert any("AUTO" in r.getMessage() for r in caplog.records if r.name == "edgecnn")
    x = case_input((1, 3, 8, 8), None)
    np.testing.assert_array_equal(model.forward(x)[0], np.maximum(x, 0))


# ---------------------------------------------------------------------------
# Options, validation, errors, runtime_info.


def test_num_threads_and_cache_dir_are_passed_through(erf_model_path, tmp_path):
    cache = tmp_path / "ov_cache"
    first = edgecnn.load(erf_model_path, backend="openvino", num_threads=1, cache_dir=cache)
    assert first.num_threads == 1
    blobs = sorted(os.listdir(cache))
    assert blobs, "OpenVINO wrote no compiled model into cache_dir"
    second = edgecnn.load(erf_model_path, num_threads=1, cache_dir=str(cache))
    assert sorted(os.listdir(cache)) == blobs, "the second load compiled again instead of using the cache"
    x = case_input((1, 3, 32, 32), None)
    np.testing.assert_array_equal(second.forward(x)[0], first.forward(x)[0])


def test_bad_backend_and_device_arguments(erf_model_path):
    with pytest.raises(ValueError, match="backend must be one of"):
        edgecnn.load(erf_model_path, backend="tensorrt")
    with pytest.raises(ValueError, match="not available"):
        edgecnn.load(erf_model_path, backend="openvino", device="NO_SUCH_DEVICE")
    data = edgecnn.convert(make_model([N("Relu", ["x"], ["y"])]), None).data
    with pytest.raises(ValueError, match="native backend runs on the CPU only"):
        edgecnn.load(data, backend="native", device="GPU")


def test_fallback_file_on_the_native_backend_raises(erf_model_path):
    with pytest.raises(UnsupportedOpError, match="fallback"):
        edgecnn.load(erf_model_path, backend="native")


def test_openvino_backend_validates_the_file(erf_model_path):
    data = bytearray(erf_model_path.read_bytes())
    data[-8] ^= 0xFF  # a weight byte: only the checksum notices
    with pytest.raises(ModelFormatError, match="checksum"):
        edgecnn.load(bytes(data), backend="openvino")
    with pytest.raises(ModelFormatError, match="checksum"):
        edgecnn.load(bytes(data))  # auto: the same validation
    assert edgecnn.load(bytes(data), verify=False).backend == "openvino"
    with pytest.raises(ModelFormatError, match="file size"):
        edgecnn.load(erf_model_path.read_bytes()[:-1], backend="openvino")


def test_openvino_rejects_a_wrong_input_shape(erf_model_path):
    model = edgecnn.load(erf_model_path)
    with pytest.raises(ValueError, match=r"must have shape \[1, 3, 32, 32\]"):
        model.forward(np.zeros((1, 3, 16, 16), F32))
    with pytest.raises(ValueError, match="not an output name"):
        model.forward(np.zeros((1, 3, 32, 32), F32), outputs=[3])


def test_declared_shapes_are_checked():
    data = single_node_ecnn("Relu", (1, 3, 4, 4), {})
    graph = read_ecnn(data)
    graph.tensors[graph.outputs[0]].shape = (1, 3, 4, 5)
    from edgecnn.ecnn_file import encode_ecnn

    with pytest.raises(ModelFormatError, match=r"declared \[1, 3, 4, 5\] but computes to \[1, 3, 4, 4\]"):
        edgecnn.load(encode_ecnn(graph), backend="openvino")


def test_missing_openvino_says_how_to_install_it(erf_model_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "openvino", None)  # import openvino now fails
    monkeypatch.setattr(backends, "openvino_available", lambda: False)
    with pytest.raises(UnsupportedOpError) as info:
        edgecnn.load(erf_model_path)
    message = str(info.value)
    assert "OpenVINO is not installed" in message and "pip install 'edgecnn[openvino]'" in message
    assert "Erf (1 node: 'erf')" in message  # the op and the node that has it
    with pytest.raises(ImportError, match=r"pip install 'edgecnn\[openvino\]'"):
        edgecnn.load(erf_model_path, backend="openvino")
    info = edgecnn.runtime_info()
    assert info["backends"] == ["native"] and "openvino" not in info["devices"]


def test_runtime_info_lists_backends_and_devices():
    info = edgecnn.runtime_info()
    assert info["backends"] == ["native", "openvino"]
    assert info["devices"]["native"] == ["CPU"]
    assert "CPU" in info["devices"]["openvino"]
    assert info["openvino_version"]


def test_profile_is_native_only(erf_model_path):
    with pytest.raises(NotImplementedError, match="native backend"):
        edgecnn.load(erf_model_path).profile()


def test_run_takes_backend_and_device(tmp_path):
    path = tmp_path / "det.ecnn"
    edgecnn.convert(str(Path(__file__).parent / "fixtures" / "models" / "yolov8n.onnx"), str(path))
    frame = np.full((120, 160, 3), 90, np.uint8)
    frame[30:90, 40:120] = (200, 30, 60)
    native = edgecnn.run("detect", frame, model=str(path), backend="native")
    ov = edgecnn.run("detect", frame, model=str(path), backend="openvino", device="CPU")
    assert len(native) == len(ov)
    np.testing.assert_array_equal(native.class_ids, ov.class_ids)
    np.testing.assert_allclose(native.boxes, ov.boxes, atol=1e-2)
    with pytest.raises(ValueError, match="backend"):
        edgecnn.run("detect", frame, model=str(path), backend="tpu")


TELEMETRY_PROBE = """
import sys, numpy as np
from openvino_telemetry.utils import sender
sent = []  # events OpenVINO would send: recorded here, never sent
sender.TelemetrySender.send = lambda self, backend, message: sent.append(message)
import edgecnn, edgecnn.models
m = edgecnn.load(edgecnn.models.DEFAULT_MODEL_PATH, backend="openvino")
m.forward(np.zeros((1, 3, 160, 160), np.float32))
edgecnn.runtime_info()
import openvino_telemetry
print("consent", openvino_telemetry.Telemetry().consent, "events", len(sent))
"""


def _telemetry_consent(home: Path) -> tuple:
    import subprocess

    pytest.importorskip("openvino_telemetry")  # openvino's own dependency: present with openvino
    # Without a consent file, and outside CI (which openvino_telemetry detects by itself).
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "TF_BUILD", "JENKINS_URL")}
    env["HOME"] = str(home)
    env["PYTHONPATH"] = os.pathsep.join([str(Path(edgecnn.__file__).parents[1])] + sys.path)
    out = subprocess.run([sys.executable, "-c", TELEMETRY_PROBE], env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    words = out.stdout.split()
    return words[-3], int(words[-1])


def test_openvino_import_sends_no_telemetry_without_consent(tmp_path):
    # A bare `import openvino` counts a missing consent file as consent and sends an import event.
    assert _telemetry_consent(tmp_path) == ("False", 0)
    assert not (tmp_path / "intel").exists(), sorted(p.name for p in (tmp_path / "intel").iterdir())


def test_openvino_telemetry_consent_given_by_the_user_is_kept(tmp_path):
    (tmp_path / "intel").mkdir()
    (tmp_path / "intel" / "openvino_telemetry").write_text("1")
    consent, events = _telemetry_consent(tmp_path)
    assert consent == "True" and events >= 1, (consent, events)
