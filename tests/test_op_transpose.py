"""Transpose against onnxruntime: every permutation up to rank 4, the default
(reversed) permutation, size-1 axes, higher ranks, and NCHW <-> NHWC maps
large enough for the tiled, parallel path."""

import itertools

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn


def transpose_case(rng, shape, perm):
    g = OperandGraph()
    xin = g.activation(rng.standard_normal(shape).astype(np.float32))
    y = g.node("Transpose", [xin], **({} if perm is None else {"perm": list(perm)}))
    model, x = g.model(y)
    return model, x, f"Transpose {shape} perm={perm}"


@pytest.mark.parametrize("shape", [(7,), (5, 17), (3, 1, 33), (2, 15, 1, 17), (3, 16, 5, 9), (1, 20, 33, 18)])
def test_every_permutation(isa, rng, tmp_path, shape):
    for perm in [None] + list(itertools.permutations(range(len(shape)))):
        model, x, case = transpose_case(rng, shape, perm)
        assert_parity(model, x, isa, tmp_path, case=case)


def test_higher_ranks(isa, rng, tmp_path):
    for _ in range(10):
        rank = int(rng.integers(5, 7))
        shape = tuple(int(v) for v in rng.choice([1, 2, 3, 5], size=rank))
        model, x, case = transpose_case(rng, shape, tuple(int(p) for p in rng.permutation(rank)))
        assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("shape,perm", [((1, 64, 80, 80), (0, 2, 3, 1)), ((1, 80, 80, 64), (0, 3, 1, 2)),
                                        ((1, 144, 8400), (0, 2, 1)), ((1, 2, 64, 400), (0, 1, 3, 2))])
def test_large(isa, rng, tmp_path, shape, perm):
    model, x, case = transpose_case(rng, shape, perm)
    assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("perm", [[0, 1], [0, 0, 1], [0, 1, 3], [-1, 0, 1]])
def test_bad_permutations_are_rejected(perm):
    with pytest.raises(edgecnn.ModelFormatError, match="perm"):
        edgecnn.load(single_node_ecnn("Transpose", (2, 3, 4), {"perm": perm}))


def test_default_permutation_reverses(isa, rng):
    x = rng.standard_normal((2, 3, 4)).astype(np.float32)
    model = edgecnn.load(single_node_ecnn("Transpose", x.shape, {}), isa=isa)
    assert np.array_equal(model.forward(x)[0], x.transpose())
