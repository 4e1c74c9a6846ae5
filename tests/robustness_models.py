"""Tiny models of each task, built directly as .ecnn files (no ONNX, no converter):
they load in a millisecond and run in well under one, so robustness tests can
throw thousands of calls at every task. Used by tests/test_robustness_*.py and
tools/soak.py."""

from __future__ import annotations

import numpy as np

from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, encode_ecnn

INPUT = (1, 3, 32, 32)
CLASSES = 3
MASKS = 4


def _const(rng, shape, scale=0.5, offset=0.0):
    return (rng.standard_normal(shape) * scale + offset).astype(np.float32)


class _Builder:
    def __init__(self, seed: int):
        self.rng = np.random.default_rng(seed)
        self.tensors = [Tensor("images", TensorKind.INPUT, INPUT)]
        self.nodes = []

    def const(self, shape, scale=0.5, offset=0.0) -> int:
        self.tensors.append(Tensor(f"c{len(self.tensors)}", TensorKind.CONSTANT, shape,
                                   _const(self.rng, shape, scale, offset)))
        return len(self.tensors) - 1

    def node(self, op, inputs, attrs=None, name=None) -> int:
        self.tensors.append(Tensor(name or f"t{len(self.tensors)}", TensorKind.ACTIVATION, None))
        out = len(self.tensors) - 1
        self.nodes.append(Node(op, f"n{len(self.nodes)}", list(inputs), [out], dict(attrs or {})))
        return out

    def conv(self, x, c_in, c_out, k, stride=1, act="Relu", bias_offset=0.0) -> int:
        w = self.const((c_out, c_in, k, k), scale=1.0 / np.sqrt(c_in * k * k))
        b = self.const((c_out,), scale=0.1, offset=bias_offset)
        attrs = {"kernel_shape": [k, k], "strides": [stride, stride], "pads": [k // 2] * 4 if stride == 1 else [0] * 4}
        if act:
            attrs["activation"] = act
        return self.node("Conv", [x, w, b], attrs)

    def encode(self, outputs, metadata) -> bytes:
        return encode_ecnn(EcnnGraph(self.tensors, self.nodes, [0], list(outputs)), metadata)


def _meta(task, **extra):
    return {"format": "ecnn", "task": task, "input_shape": list(INPUT), "color": "rgb",
            "labels": [f"class{i}" for i in range(CLASSES)], **extra}


def classify_model() -> bytes:
    b = _Builder(1)
    x = b.conv(0, 3, 8, 3)
    x = b.node("MaxPool", [x], {"kernel_shape": [2, 2], "strides": [2, 2]})
    x = b.node("GlobalAveragePool", [x])
    x = b.node("Flatten", [x], {"axis": 1})
    x = b.node("Gemm", [x, b.const((CLASSES, 8)), b.const((CLASSES,))], {"transB": 1})
    x = b.node("Softmax", [x], {"axis": 1}, name="probs")
    return b.encode([x], _meta("classify"))


def segment_model() -> bytes:
    b = _Builder(2)
    x = b.conv(0, 3, 8, 3, stride=2, act="Relu")
    x = b.conv(x, 8, CLASSES, 1, act=None)  # [1, classes, 16, 16] logits
    return b.encode([x], _meta("segment", mean=[0.5, 0.5, 0.5], std=[0.25, 0.25, 0.25]))


def _detection_head(b: _Builder, x, rows: int) -> int:
    """[1, rows, 16] from a stride-8 map of 4 x 4: boxes (cx, cy, w, h in input
    pixels, inside the 32 x 32 input), then class probabilities (and mask rows)."""
    box = b.conv(x, 8, 4, 1, act="Sigmoid")
    box = b.node("Mul", [box, b.const((1, 4, 1, 1), scale=0.0, offset=24.0)])
    box = b.node("Add", [box, b.const((1, 4, 1, 1), scale=0.0, offset=4.0)])
    cls = b.conv(x, 8, rows - 4, 1, act="Sigmoid")
    y = b.node("Concat", [box, cls], {"axis": 1})
    return b.node("Reshape", [y], {"shape": [1, rows, 16]}, name="detections")


def detect_model() -> bytes:
    b = _Builder(3)
    x = b.conv(0, 3, 8, 8, stride=8, act="SiLU")  # [1, 8, 4, 4]
    return b.encode([_detection_head(b, x, 4 + CLASSES)], _meta("detect"))


def instance_model() -> bytes:
    b = _Builder(4)
    x = b.conv(0, 3, 8, 8, stride=8, act="SiLU")
    det = _detection_head(b, x, 4 + CLASSES + MASKS)
    p = b.conv(0, 3, 8, 4, stride=4, act="Relu")  # [1, 8, 8, 8]
    protos = b.conv(p, 8, MASKS, 1, act=None)  # [1, masks, 8, 8]
    return b.encode([det, protos], _meta("instance"))


def tiny_models() -> dict:
    """task -> .ecnn bytes of a tiny model of that task."""
    return {"classify": classify_model(), "segment": segment_model(), "detect": detect_model(),
            "instance": instance_model()}
