"""Concat and Split against onnxruntime along every axis, with inputs constant
or computed, parts of size 1, and tensors large enough to copy in parallel."""

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn

SHAPES = [(5,), (3, 4), (2, 3, 5), (1, 17, 5, 7), (2, 3, 1, 4, 2)]


@pytest.mark.parametrize("shape", SHAPES)
def test_concat_every_axis(isa, rng, tmp_path, shape):
    for axis in range(-len(shape), len(shape)):
        g = OperandGraph()
        inputs, sizes = [], []
        for i in range(int(rng.integers(1, 6))):
            part = list(shape)
            part[axis] = int(rng.choice([1, 2, 3, 16, 17]))
            sizes.append(part[axis])
            value = rng.standard_normal(part).astype(np.float32)
            inputs.append(g.operand(value, constant=i > 0 and rng.random() < 0.3))
        y = g.node("Concat", inputs, axis=axis)
        model, x = g.model(y)
        assert_parity(model, x, isa, tmp_path, case=f"Concat {shape} axis={axis} sizes={sizes}")


def test_concat_large(isa, rng, tmp_path):
    # The YOLO neck: channel concatenation of feature maps of one size.
    g = OperandGraph()
    parts = [g.activation(rng.standard_normal((1, c, 40, 40)).astype(np.float32)) for c in (64, 32, 32, 1)]
    model, x = g.model(g.node("Concat", parts, axis=1))
    assert_parity(model, x, isa, tmp_path, case="Concat large")


@pytest.mark.parametrize("shape", SHAPES)
def test_split_every_axis(isa, rng, tmp_path, shape):
    for axis in range(-len(shape), len(shape)):
        full = list(shape)
        full[axis] = int(rng.choice([1, 4, 7, 33]))
        cut_count = min(full[axis] - 1, int(rng.integers(0, 4)))
        cuts = sorted(int(v) for v in rng.choice(np.arange(1, full[axis]), size=cut_count, replace=False))
        sizes = np.diff([0] + cuts + [full[axis]]).tolist()
        g = OperandGraph()
        xin = g.activation(rng.standard_normal(full).astype(np.float32))
        outs = g.node("Split", [xin, g.const_ints(sizes)], outputs=len(sizes), axis=axis)
        model, x = g.model(outs)
        assert_parity(model, x, isa, tmp_path, case=f"Split {full} axis={axis} sizes={sizes}")


def test_split_equal_parts_and_large(isa, rng, tmp_path):
    # No `split` input: equal parts (the converter writes the sizes); large
    # enough for parallel copies, as YOLO's C2f split of a feature map.
    g = OperandGraph()
    xin = g.activation(rng.standard_normal((1, 128, 40, 40)).astype(np.float32))
    outs = g.node("Split", [xin], outputs=2, axis=1)
    model, x = g.model(outs)
    assert_parity(model, x, isa, tmp_path, case="Split equal")


def test_concat_mismatched_dims_are_rejected():
    data = single_node_ecnn("Concat", (1, 3, 4, 5), {"axis": 1}, [np.ones((1, 2, 4, 6), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="does not match"):
        edgecnn.load(data)


def test_concat_mismatched_ranks_are_rejected():
    data = single_node_ecnn("Concat", (1, 3, 4), {"axis": 1}, [np.ones((1, 2, 4, 1), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="different rank"):
        edgecnn.load(data)


def test_concat_needs_an_axis():
    data = single_node_ecnn("Concat", (1, 3), {}, [np.ones((1, 3), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="axis"):
        edgecnn.load(data)


def test_concat_axis_out_of_range_is_rejected():
    data = single_node_ecnn("Concat", (1, 3), {"axis": -3}, [np.ones((1, 3), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="out of range"):
        edgecnn.load(data)


def test_split_sizes_must_sum_to_the_axis():
    data = single_node_ecnn("Split", (2, 6), {"axis": 1, "split": [2, 3]}, outputs=2)
    with pytest.raises(edgecnn.ModelFormatError, match="sum to 5"):
        edgecnn.load(data)


def test_split_sizes_must_match_the_outputs():
    data = single_node_ecnn("Split", (2, 6), {"axis": 1, "split": [2, 2, 2]}, outputs=2)
    with pytest.raises(edgecnn.ModelFormatError, match="3 sizes for 2 outputs"):
        edgecnn.load(data)


def test_split_negative_size_is_rejected():
    data = single_node_ecnn("Split", (2, 6), {"axis": 1, "split": [7, -1]}, outputs=2)
    with pytest.raises(edgecnn.ModelFormatError, match=">= 0"):
        edgecnn.load(data)


def test_split_empty_part_is_unsupported():
    data = single_node_ecnn("Split", (2, 6), {"axis": 1, "split": [6, 0]}, outputs=2)
    with pytest.raises(edgecnn.UnsupportedOpError, match="size 0"):
        edgecnn.load(data)


def test_split_without_sizes_needs_equal_parts():
    data = single_node_ecnn("Split", (2, 7), {"axis": 1}, outputs=2)
    with pytest.raises(edgecnn.ModelFormatError, match="equal parts"):
        edgecnn.load(data)
