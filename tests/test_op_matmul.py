"""MatMul against onnxruntime: M and N around every GEMM tile edge, K = 1,
1-D operands, batch broadcasting, constant right operands (2-D and batched)
and activation x activation products such as attention."""

import numpy as np
import pytest

import edgecnn
from operand_graph import OperandGraph
from parity import assert_parity
from single_node import single_node_ecnn

EDGES = [1, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 15, 16, 17, 31, 32, 33]


def matmul_case(rng, a_shape, b_shape, b_const, a_const=False, scale=1.0):
    a = (rng.standard_normal(a_shape) * scale).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    g = OperandGraph()
    y = g.node("MatMul", [g.operand(a, a_const), g.operand(b, b_const)])
    model, x = g.model(y)
    consts = " A constant" * a_const + " B constant" * b_const
    return model, x, f"MatMul {a_shape} x {b_shape}{consts}"


def check(case, isa, tmp_path):
    model, x, name = case
    assert_parity(model, x, isa, tmp_path, case=name)


@pytest.mark.parametrize("b_const", [True, False])
@pytest.mark.parametrize("dim", ["m", "n"])
def test_tile_edges(isa, rng, tmp_path, dim, b_const):
    for size in EDGES:
        for k in (1, 6, 37):
            m, n = (size, 9) if dim == "m" else (5, size)
            check(matmul_case(rng, (m, k), (k, n), b_const), isa, tmp_path)


SHAPES = [
    ((7,), (7, 5)),  # 1-D left: a row, dropped from the output
    ((6, 7), (7,)),  # 1-D right: a column
    ((7,), (7,)),  # both 1-D: a scalar
    ((3, 4, 7), (7,)),
    ((7,), (3, 7, 5)),
    ((2, 5, 9), (9, 17)),  # batches of A stack into one product
    ((2, 3, 5, 9), (1, 9, 17)),
    ((2, 3, 5, 9), (3, 9, 17)),  # batched right operand
    ((2, 1, 5, 9), (1, 3, 9, 4)),  # both broadcast
    ((5, 9), (4, 9, 6)),
    ((1, 5, 9), (2, 1, 9, 6)),
    ((3, 1, 1), (3, 1, 1)),  # K = 1, everything 1 wide
    ((4, 33, 1), (4, 1, 31)),
]


@pytest.mark.parametrize("a_shape,b_shape", SHAPES)
@pytest.mark.parametrize("b_const", [True, False])
def test_broadcasting_and_vectors(isa, rng, tmp_path, a_shape, b_shape, b_const):
    check(matmul_case(rng, a_shape, b_shape, b_const), isa, tmp_path)


def test_constant_left_operand(isa, rng, tmp_path):
    for a_shape, b_shape in (((13, 9), (9, 17)), ((2, 5, 9), (2, 9, 3)), ((9,), (4, 9, 6))):
        check(matmul_case(rng, a_shape, b_shape, False, a_const=True), isa, tmp_path)


def test_random_shapes(isa, rng, tmp_path):
    for _ in range(20):
        m, n = (int(v) for v in rng.choice(EDGES, size=2))
        k = int(rng.choice([1, 2, 8, 31, 100]))
        batch = [int(v) for v in rng.integers(1, 4, size=int(rng.integers(0, 3)))]
        b_batch = [d if rng.random() < 0.5 else 1 for d in batch][int(rng.integers(0, len(batch) + 1)):]
        check(matmul_case(rng, tuple(batch) + (m, k), tuple(b_batch) + (k, n), bool(rng.random() < 0.5)),
                      isa, tmp_path)


def test_attention(isa, rng, tmp_path):
    # softmax(Q K^T / sqrt(d)) V with every product activation x activation,
    # as in YOLO11's attention block (heads 2, tokens 80, head size 32).
    heads, tokens, d = 2, 80, 32
    g = OperandGraph()
    q = g.activation(rng.standard_normal((1, heads, tokens, d)).astype(np.float32))
    kt = g.activation(rng.standard_normal((1, heads, d, tokens)).astype(np.float32))
    v = g.activation(rng.standard_normal((1, heads, tokens, d)).astype(np.float32))
    scores = g.node("MatMul", [q, kt])
    scaled = g.node("Mul", [scores, g.constant(np.array(d ** -0.5, np.float32))])
    attn = g.node("Softmax", [scaled], axis=-1)
    y = g.node("MatMul", [attn, v])
    model, x = g.model(y)
    assert_parity(model, x, isa, tmp_path, case="attention")


@pytest.mark.parametrize("a_shape,b_shape", [((1, 400, 128), (128, 128)), ((1, 1280), (1280, 1000)),
                                             ((4, 96, 64), (4, 64, 96))])
def test_large(isa, rng, tmp_path, a_shape, b_shape):
    for b_const, threads in ((True, 1), (False, 3)):
        model, x, case = matmul_case(rng, a_shape, b_shape, b_const, scale=0.1)
        assert_parity(model, x, isa, tmp_path, case=f"{case} threads={threads}", num_threads=threads)


def test_inner_dimension_mismatch_is_rejected():
    data = single_node_ecnn("MatMul", (2, 5), {}, [np.ones((4, 3), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="different inner dimensions"):
        edgecnn.load(data)


def test_batches_that_do_not_broadcast_are_rejected():
    data = single_node_ecnn("MatMul", (2, 3, 5), {}, [np.ones((3, 5, 4), np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="do not broadcast"):
        edgecnn.load(data)
