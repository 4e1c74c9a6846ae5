"""Add, Sub, Mul, Div and PRelu against onnxruntime: every broadcasting pattern
(scalar, per-channel, row, full, rank mismatch, both operands broadcast), each
operand constant or computed, on either side."""

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn

CHANNELS = [1, 3, 15, 16, 17, 33]
BINARY = ["Add", "Sub", "Mul", "Div"]


def broadcast_pair(rng, pattern):
    """(shape of A, shape of B) for a named broadcasting pattern."""
    n, c = int(rng.integers(1, 3)), int(rng.choice(CHANNELS))
    h, w = (int(v) for v in rng.choice([1, 2, 5, 7, 9, 16, 17], size=2))
    full = (n, c, h, w)
    return {
        "scalar": (full, ()),
        "one": (full, (1,)),
        "channel": (full, (c, 1, 1)),
        "channel4d": (full, (1, c, 1, 1)),
        "row": (full, (w,)),
        "full": (full, full),
        "rank2": (full, (h, w)),
        "column": (full, (c, h, 1)),
        "both": ((n, c, 1, w), (1, 1, h, 1)),
        "outer": ((c, 1), (1, w)),
        "vectors": ((w,), (w,)),
        "scalars": ((), ()),
        "large": ((1, 8, 96, 100), (8, 1, 1)),
    }[pattern]


def operand(rng, shape, op, is_divisor):
    a = rng.standard_normal(shape).astype(np.float32)
    if is_divisor:  # keep away from 0: the quotient stays well conditioned
        a = (np.sign(a) + (a == 0)) * (0.5 + np.abs(a))
    return a.astype(np.float32)


PATTERNS = ["scalar", "one", "channel", "channel4d", "row", "full", "rank2", "column", "both", "outer",
            "vectors", "scalars", "large"]


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_broadcast_patterns(isa, rng, tmp_path, op, pattern):
    a_shape, b_shape = broadcast_pair(rng, pattern)
    # (A, B) kinds: computed x constant, constant x computed, computed x computed;
    # and the operands swapped, so that the broadcast one is on the left.
    for swap in (False, True):
        for a_const, b_const in ((False, True), (True, False), (False, False)):
            sa, sb = (b_shape, a_shape) if swap else (a_shape, b_shape)
            a = operand(rng, sa, op, False)
            b = operand(rng, sb, op, op == "Div")
            g = OperandGraph()
            y = g.node(op, [g.operand(a, a_const), g.operand(b, b_const)])
            model, x = g.model(y)
            case = f"{op} {sa}{'c' if a_const else ''} with {sb}{'c' if b_const else ''}"
            assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("op", BINARY)
def test_random_broadcasts(isa, rng, tmp_path, op):
    for i in range(15):
        rank = int(rng.integers(1, 6))
        out = [int(v) for v in rng.choice([1, 2, 3, 4, 7, 16, 17], size=rank)]
        # Each operand keeps a random suffix of the axes, each kept axis full or 1.
        shapes = []
        for _ in range(2):
            keep = int(rng.integers(0, rank + 1))
            shapes.append(tuple(d if rng.random() < 0.6 else 1 for d in out[rank - keep:]))
        a = operand(rng, shapes[0], op, False)
        b = operand(rng, shapes[1], op, op == "Div")
        g = OperandGraph()
        const = int(rng.integers(0, 3))  # 0: none, 1: A, 2: B
        y = g.node(op, [g.operand(a, const == 1), g.operand(b, const == 2)])
        model, x = g.model(y)
        assert_parity(model, x, isa, tmp_path, case=f"case {i}: {op} {shapes[0]} with {shapes[1]} const={const}")


@pytest.mark.parametrize("slope_kind", ["scalar", "one", "channel", "channel_hw", "full", "row", "computed"])
def test_prelu(isa, rng, tmp_path, slope_kind):
    for c in CHANNELS:
        x_shape = (int(rng.integers(1, 3)), c, 5, 7)
        slope_shape = {"scalar": (), "one": (1,), "channel": (c, 1, 1), "channel_hw": (c, 1, 7),
                       "full": x_shape, "row": (7,), "computed": (c, 1, 1)}[slope_kind]
        slope = rng.uniform(-1.0, 1.0, slope_shape).astype(np.float32)
        g = OperandGraph()
        xin = g.activation(rng.standard_normal(x_shape).astype(np.float32))
        y = g.node("PRelu", [xin, g.operand(slope, slope_kind != "computed")])
        model, x = g.model(y)
        assert_parity(model, x, isa, tmp_path, case=f"PRelu x={x_shape} slope={slope_shape}")


def test_chained_ops_reuse_buffers(isa, rng, tmp_path):
    # A chain of every op on one tensor: each reads the previous output.
    shape = (1, 17, 9, 11)
    g = OperandGraph()
    y = g.activation(rng.standard_normal(shape).astype(np.float32))
    skip = y
    for op in BINARY * 2:
        c = operand(rng, (17, 1, 1), op, op == "Div")
        y = g.node(op, [y, g.constant(c)])
        y = g.node("Add", [y, skip])
    model, x = g.model(y)
    assert_parity(model, x, isa, tmp_path, case="chain")


@pytest.mark.parametrize("op", BINARY)
def test_shapes_that_do_not_broadcast_are_rejected(op):
    data = single_node_ecnn(op, (1, 3, 4, 5), {}, [np.ones((4, 4), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="do not broadcast"):
        edgecnn.load(data)


def test_prelu_slope_must_broadcast_to_x():
    # The slope may not widen the output: unidirectional broadcasting.
    data = single_node_ecnn("PRelu", (1, 3, 1, 5), {}, [np.ones((3, 4, 5), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="does not broadcast"):
        edgecnn.load(data)


def test_binary_needs_two_inputs():
    data = single_node_ecnn("Add", (2, 3), {}, [])
    with pytest.raises(edgecnn.ModelFormatError, match="inputs"):
        edgecnn.load(data)
