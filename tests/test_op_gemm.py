"""Gemm against onnxruntime: M and N around every GEMM tile edge, K = 1, transA
and transB, alpha and beta, C of every broadcastable shape, and B (or A, C)
constant or computed."""

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn

# Tile edges of the kernels (4x8 scalar, 6x16 AVX2, 8x48 AVX-512, 8x8 NEON) +-1.
EDGES = [1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 32, 33, 47, 48, 49]
C_SHAPES = ["none", "scalar", "one", "row", "row2d", "column", "full"]


def c_shape(kind, m, n):
    return {"none": None, "scalar": (), "one": (1,), "row": (n,), "row2d": (1, n), "column": (m, 1),
            "full": (m, n)}[kind]


def gemm_case(rng, m, n, k, trans_a=0, trans_b=0, alpha=1.0, beta=1.0, c_kind="none", b_const=True,
              a_const=False, c_const=True):
    a = rng.standard_normal((k, m) if trans_a else (m, k)).astype(np.float32)
    b = rng.standard_normal((n, k) if trans_b else (k, n)).astype(np.float32)
    g = OperandGraph()
    inputs = [g.operand(a, a_const), g.operand(b, b_const)]
    shape = c_shape(c_kind, m, n)
    if shape is not None:
        inputs.append(g.operand(rng.standard_normal(shape).astype(np.float32), c_const))
    y = g.node("Gemm", inputs, transA=trans_a, transB=trans_b, alpha=alpha, beta=beta)
    model, x = g.model(y)
    case = (f"Gemm M={m} N={n} K={k} transA={trans_a} transB={trans_b} alpha={alpha} beta={beta} C={shape} "
            f"a_const={a_const} b_const={b_const} c_const={c_const}")
    return model, x, case


@pytest.mark.parametrize("dim", ["m", "n"])
def test_tile_edges(isa, rng, tmp_path, dim):
    for size in EDGES:
        for k in (1, 5, 40):
            m, n = (size, 7) if dim == "m" else (3, size)
            model, x, case = gemm_case(rng, m, n, k, c_kind="row")
            assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("trans_a", [0, 1])
@pytest.mark.parametrize("trans_b", [0, 1])
def test_single_row(isa, rng, tmp_path, trans_a, trans_b):
    # M = 1 with a constant B (classifiers) takes the matrix-vector kernel:
    # N across its panel widths (8, 16, 48) and K across its 4-step unrolling
    # and, from 64 on, its two streams (the halves of K, then the rest).
    for n in (1, 7, 8, 9, 15, 16, 17, 47, 48, 49, 97, 1000):
        for k in (1, 3, 4, 5, 8, 63, 64, 67, 130):
            model, x, case = gemm_case(rng, 1, n, k, trans_a, trans_b, c_kind="row")
            assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("trans_a", [0, 1])
@pytest.mark.parametrize("trans_b", [0, 1])
@pytest.mark.parametrize("b_const", [True, False])
def test_transposes(isa, rng, tmp_path, trans_a, trans_b, b_const):
    for _ in range(6):
        m, n = (int(v) for v in rng.choice(EDGES, size=2))
        k = int(rng.choice([1, 2, 9, 33]))
        model, x, case = gemm_case(rng, m, n, k, trans_a, trans_b, c_kind=str(rng.choice(C_SHAPES)), b_const=b_const)
        assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("c_kind", C_SHAPES)
@pytest.mark.parametrize("c_const", [True, False])
def test_alpha_beta_and_c(isa, rng, tmp_path, c_kind, c_const):
    for alpha, beta in ((1.0, 1.0), (0.5, 2.0), (-1.5, 0.0), (1.0, -0.25)):
        m, n = (int(v) for v in rng.choice(EDGES, size=2))
        model, x, case = gemm_case(rng, m, n, int(rng.choice([1, 7, 20])), int(rng.integers(0, 2)),
                                   int(rng.integers(0, 2)), alpha, beta, c_kind, c_const=c_const)
        assert_parity(model, x, isa, tmp_path, case=case)


def test_constant_a_computed_b(isa, rng, tmp_path):
    for trans_b in (0, 1):
        model, x, case = gemm_case(rng, 13, 17, 9, 0, trans_b, c_kind="column", a_const=True, b_const=False)
        assert_parity(model, x, isa, tmp_path, case=case)


@pytest.mark.parametrize("m,n,k", [(1, 1000, 1280), (1, 10, 2048), (64, 200, 300), (100, 33, 1)])
def test_large(isa, rng, tmp_path, m, n, k):
    # Classifier heads (M = 1, long K) and a multi-panel, multi-chunk product.
    for trans_b, threads in ((0, 1), (1, 3)):
        model, x, case = gemm_case(rng, m, n, k, 0, trans_b, c_kind="row")
        assert_parity(model, x, isa, tmp_path, case=f"{case} threads={threads}", num_threads=threads)


def test_inner_dimension_mismatch_is_rejected():
    data = single_node_ecnn("Gemm", (2, 5), {"transB": 1}, [np.ones((3, 4), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="different inner dimensions"):
        edgecnn.load(data)


def test_c_that_does_not_broadcast_is_rejected():
    data = single_node_ecnn("Gemm", (2, 5), {}, [np.ones((5, 3), np.float32), np.ones((2, 2), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="does not broadcast"):
        edgecnn.load(data)


def test_3d_operand_is_rejected():
    data = single_node_ecnn("Gemm", (1, 2, 5), {}, [np.ones((5, 3), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="2-D"):
        edgecnn.load(data)


def test_bad_trans_attribute_is_rejected():
    data = single_node_ecnn("Gemm", (2, 5), {"transA": 2}, [np.ones((5, 3), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="transA"):
        edgecnn.load(data)
