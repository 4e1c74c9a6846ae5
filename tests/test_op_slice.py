"""Slice against onnxruntime (positive and negative steps, negative and
out-of-range bounds, any axes), and the core's own ONNX clamping on raw
attributes the converter would have clamped already."""

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn

INT64_MAX, INT64_MIN = 2**63 - 1, -(2**63)


def onnx_slice(x, starts, ends, axes, steps):
    """ONNX Slice semantics, in numpy."""
    index = [slice(None)] * x.ndim
    for start, end, axis, step in zip(starts, ends, axes, steps):
        dim = x.shape[axis]
        start = start + dim if start < 0 else start
        end = end + dim if end < 0 else end
        if step > 0:
            start, end = min(max(start, 0), dim), min(max(end, 0), dim)
        else:
            start, end = min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)
        index[axis] = slice(start, None if end < 0 else end, step)
    return x[tuple(index)]


def random_slice(rng, shape):
    """Random (starts, ends, axes, steps) with a non-empty result."""
    while True:
        axes = [int(a) for a in rng.permutation(len(shape))[:int(rng.integers(1, len(shape) + 1))]]
        starts, ends, steps = [], [], []
        for a in axes:
            d = shape[a]
            step = int(rng.choice([1, 1, 2, 3, -1, -2, 7, -7]))
            bound = [INT64_MIN, INT64_MAX, -d - 5, d + 5] + list(range(-d, d + 1))
            starts.append(int(rng.choice(bound)))
            ends.append(int(rng.choice(bound)))
            steps.append(step)
        # negative axes too
        axes_out = [a - len(shape) if rng.random() < 0.3 else a for a in axes]
        if onnx_slice(np.zeros(shape), starts, ends, axes, steps).size:
            return starts, ends, axes_out, steps


@pytest.mark.parametrize("shape", [(9,), (5, 8), (3, 4, 7), (2, 17, 6, 9), (2, 3, 1, 4, 5)])
def test_random_slices(isa, rng, tmp_path, shape):
    for i in range(12):
        starts, ends, axes, steps = random_slice(rng, shape)
        g = OperandGraph()
        xin = g.activation(rng.standard_normal(shape).astype(np.float32))
        y = g.node("Slice", [xin] + [g.const_ints(v) for v in (starts, ends, axes, steps)])
        model, x = g.model(y)
        case = f"case {i}: {shape} starts={starts} ends={ends} axes={axes} steps={steps}"
        assert_parity(model, x, isa, tmp_path, case=case)


def test_yolo_style_slices(isa, rng, tmp_path):
    # Channel halves of a feature map, a reversed axis, and a large copy.
    shape = (1, 64, 80, 80)
    for starts, ends, axes, steps in (([0], [32], [1], [1]), ([32], [INT64_MAX], [1], [1]),
                                      ([-1], [INT64_MIN], [3], [-1]), ([1, 0], [80, 80], [2, 3], [2, 2])):
        g = OperandGraph()
        xin = g.activation(rng.standard_normal(shape).astype(np.float32))
        y = g.node("Slice", [xin] + [g.const_ints(v) for v in (starts, ends, axes, steps)])
        model, x = g.model(y)
        assert_parity(model, x, isa, tmp_path, case=f"{starts} {ends} {axes} {steps}")


def test_core_clamps_raw_attributes(isa, rng):
    # Bounds as ONNX models carry them (unclamped): the core applies the rules.
    shape = (4, 6, 5)
    x = rng.standard_normal(shape).astype(np.float32)
    for _ in range(40):
        starts, ends, axes, steps = random_slice(rng, shape)
        attrs = {"starts": starts, "ends": ends, "axes": axes, "steps": steps}
        model = edgecnn.load(single_node_ecnn("Slice", shape, attrs), isa=isa, num_threads=2)
        want = onnx_slice(x, starts, ends, [a % len(shape) for a in axes], steps)
        got = model.forward(x)[0]
        assert got.shape == want.shape and np.array_equal(got, want), attrs


def test_defaults_for_axes_and_steps(isa, rng):
    x = rng.standard_normal((4, 6)).astype(np.float32)
    model = edgecnn.load(single_node_ecnn("Slice", x.shape, {"starts": [1, -4], "ends": [3, 100]}), isa=isa)
    assert np.array_equal(model.forward(x)[0], x[1:3, 2:])


@pytest.mark.parametrize("attrs,error,match", [
    ({"starts": [0], "ends": [2], "steps": [0]}, edgecnn.ModelFormatError, "steps must not be 0"),
    ({"starts": [0, 0], "ends": [2]}, edgecnn.ModelFormatError, "starts and ends"),
    ({"starts": [0], "ends": [2], "axes": [2]}, edgecnn.ModelFormatError, "out of range"),
    ({"starts": [0, 0], "ends": [2, 2], "axes": [1, -1]}, edgecnn.ModelFormatError, "sliced twice"),
    ({"starts": [0], "ends": [2], "axes": [0, 1]}, edgecnn.ModelFormatError, "as many entries"),
    ({"ends": [2]}, edgecnn.ModelFormatError, "starts"),
    ({"starts": [3], "ends": [1]}, edgecnn.UnsupportedOpError, "empty"),
])
def test_bad_attributes_are_rejected(attrs, error, match):
    with pytest.raises(error, match=match):
        edgecnn.load(single_node_ecnn("Slice", (4, 6), attrs))
