"""Softmax against onnxruntime along every axis (rows and strided columns,
across the column-block boundary), with inputs far from 0 to check the
max-subtraction, and in parallel."""

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn


def softmax_case(rng, shape, axis, scale=1.0, offset=0.0, x=None):
    g = OperandGraph()
    if x is None:
        x = (rng.standard_normal(shape) * scale + offset).astype(np.float32)
    attrs = {} if axis is None else {"axis": axis}
    y = g.node("Softmax", [g.activation(x)], **attrs)
    model, data = g.model(y)
    return model, data, f"Softmax {shape} axis={axis} scale={scale} offset={offset}"


@pytest.mark.parametrize("shape", [(7,), (3, 17), (2, 3, 5), (2, 15, 4, 9), (1, 16, 4, 33), (2, 1, 3, 1)])
def test_every_axis(isa, rng, tmp_path, shape):
    for axis in [None] + list(range(-len(shape), len(shape))):
        model, x, case = softmax_case(rng, shape, axis)
        assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("shape,axis", [((2, 1000), -1), ((1, 16, 600), 1), ((1, 3, 300), 1)])
def test_large_values_are_stable(isa, rng, tmp_path, shape, axis):
    # exp would overflow (or underflow to 0/0) without subtracting the maximum.
    for offset in (300.0, -300.0):
        model, x, case = softmax_case(rng, shape, axis, scale=20.0, offset=offset)
        assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("shape,axis", [((1, 16, 4, 840), 1), ((64, 4000), 1), ((1, 2, 300, 300), 3),
                                        ((1, 5, 1000, 7), 2)])
def test_large_parallel(isa, rng, tmp_path, shape, axis):
    # YOLO's DFL softmax (16 bins over 4 x anchors) and attention-sized rows.
    model, x, case = softmax_case(rng, shape, axis)
    assert_parity(model, x, isa, tmp_path, case=case)


def test_axis_out_of_range_is_rejected():
    data = single_node_ecnn("Softmax", (2, 3), {"axis": 2})
    with pytest.raises(edgecnn.ModelFormatError, match="axis 2 is out of range"):
        edgecnn.load(data)


@pytest.mark.parametrize("length", [2, 15, 16, 18, 34, 47])
def test_row_maximum_at_every_position(isa, rng, tmp_path, length):
    # Rows reduce in 16 partial maxima and sums plus a scalar tail. Two
    # neighbours far above the rest (100 and 99: exp overflows unless their
    # maximum is subtracted, and the answer is 0.73 / 0.27 only if it is)
    # first, in the middle and last (in the tail when the length is not a
    # multiple of 16).
    for at in sorted({0, length // 2 - 1, length - 2}):
        x = rng.standard_normal((2, length)).astype(np.float32)
        x[:, at], x[:, at + 1] = 99.0, 100.0
        model, data, case = softmax_case(rng, x.shape, -1, x=x)
        assert_parity(model, data, isa, tmp_path, case=f"{case} maximum at {at + 1}")
