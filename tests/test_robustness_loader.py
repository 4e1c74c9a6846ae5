"""The loader against hostile files: the fuzzer's crash regressions replayed, the
memory limit (every allocation a file's sizes or attributes drive is checked
before it is made), load time linear in the node count, verify=False."""

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

import edgecnn
from edgecnn import ecnn_file
from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, encode_ecnn, read_ecnn

REGRESSIONS = Path(__file__).parent / "fuzz_regressions"
MEMORY_LIMIT = 4 << 30  # edgecnn::kDefaultMaxMemoryBytes


def with_checksum(data: bytes) -> bytes:
    """The file with its header checksum recomputed (a mutated file the CRC no longer guards)."""
    if len(data) < 32:
        return data
    fixed = bytearray(data)
    struct.pack_into("<I", fixed, 24, zlib.crc32(bytes(fixed[32:])) & 0xFFFFFFFF)
    return bytes(fixed)


def regression_files():
    files = sorted(p for p in REGRESSIONS.iterdir() if p.suffix == ".ecnn")
    assert files, "tests/fuzz_regressions/ holds no .ecnn file"
    return files


@pytest.mark.parametrize("path", regression_files(), ids=lambda p: p.name)
def test_fuzz_regression_replays_cleanly(path):
    """Each input that once crashed (or hung) the loader: now an EdgecnnError or a
    clean load, in the C++ loader and in the Python reader alike."""
    data = path.read_bytes()
    try:
        model = edgecnn.load(data, verify=False, num_threads=1)
    except edgecnn.EdgecnnError:
        model = None
    # Files named *.slow.ecnn load fine but ask for minutes of arithmetic: not run.
    if model is not None and not path.name.endswith(".slow.ecnn"):
        inputs = [np.zeros(shape, np.float32) for shape in [model.input_shape]]
        if len(model.input_names) == 1:
            outs = model.forward(inputs)
            assert len(outs) == len(model.output_names)
    for blob in (data, with_checksum(data)):
        try:
            read_ecnn(blob)
        except edgecnn.EdgecnnError:
            pass


def single(op, x_shape, attrs, constants=(), outputs=1):
    tensors = [Tensor("X", TensorKind.INPUT, tuple(x_shape))]
    inputs = [0]
    for i, c in enumerate(constants):
        inputs.append(len(tensors))
        tensors.append(Tensor(f"C{i}", TensorKind.CONSTANT, c.shape, np.ascontiguousarray(c, np.float32)))
    out = list(range(len(tensors), len(tensors) + outputs))
    tensors += [Tensor(f"Y{i}", TensorKind.ACTIVATION, None) for i in range(outputs)]
    return encode_ecnn(EcnnGraph(tensors, [Node(op, "n0", inputs, out, dict(attrs))], [0], out))


@pytest.mark.parametrize("op,x_shape,attrs,match", [
    # Index maps as long as the output's axes: refused before they are built.
    ("Resize", (1, 1, 1, 1), {"mode": "nearest", "sizes": [1, 1, 2**31 - 1, 1]}, "memory limit"),
    ("Resize", (1, 1, 1, 1), {"mode": "linear", "sizes": [1, 1, 2**28, 1]}, "index maps would need"),
    ("Resize", (1, 1, 2, 2), {"mode": "nearest", "scales": [1.0, 1.0, 3e9, 1.0]}, "2\\^31 or more"),
    ("Pad", (1, 1, 1, 1), {"pads": [0, 0, 0, 0, 0, 0, 2**31 - 3, 0]}, "memory limit"),
    ("Pad", (1, 4), {"pads": [0, 2**30, 0, 2**30]}, "2\\^31 - 1 elements|memory limit"),
    ("MaxPool", (1, 1, 1, 2**20), {"kernel_shape": [60000, 1], "pads": [59999, 0, 59999, 0]}, "2\\^31 - 1 el"),
    ("AveragePool", (1, 1, 1, 2**15), {"kernel_shape": [60000, 1], "pads": [59999, 0, 59999, 0]}, "memory limit"),
    ("Split", (1, 6, 2, 2), {"axis": 1, "split": [1, 2**62, 3]}, "exceed"),
    ("Conv", (1, 1, 1, 2**13), {"kernel_shape": [1, 1], "pads": [65536, 0, 65536, 0]}, "memory limit"),
])
def test_attribute_driven_sizes_are_refused_before_allocating(op, x_shape, attrs, match):
    constants = [np.ones((1, 1, 1, 1), np.float32)] if op == "Conv" else []
    outputs = 3 if op == "Split" else 1
    data = single(op, x_shape, attrs, constants, outputs)
    with pytest.raises(edgecnn.ModelFormatError, match=match):
        edgecnn.load(data, num_threads=1)


def test_graph_input_beyond_the_memory_limit():
    data = single("Relu", (2**31 - 1,), {})
    with pytest.raises(edgecnn.ModelFormatError, match="graph input 'X'.*memory limit of 4294967296 bytes"):
        edgecnn.load(data)


def test_activations_that_together_exceed_the_memory_limit():
    """Each tensor fits, but the arena holding the live ones at once would not:
    refused before the arena is allocated."""
    n = (MEMORY_LIMIT // 4) // 3 + 1024  # X and the Concat of two X: > 4 GiB together
    tensors = [Tensor("X", TensorKind.INPUT, (1, n)), Tensor("Y", TensorKind.ACTIVATION, None)]
    data = encode_ecnn(EcnnGraph(tensors, [Node("Concat", "cat", [0, 0], [1], {"axis": 0})], [0], [1]))
    with pytest.raises(edgecnn.ModelFormatError, match="activations and scratch would need"):
        edgecnn.load(data, num_threads=1)


def test_concat_along_a_huge_axis_does_not_overflow():
    tensors = [Tensor("X", TensorKind.INPUT, (2**29, 2)), Tensor("Y", TensorKind.ACTIVATION, None)]
    data = encode_ecnn(EcnnGraph(tensors, [Node("Concat", "cat", [0] * 64, [1], {"axis": 0})], [0], [1]))
    with pytest.raises(edgecnn.ModelFormatError, match="2\\^31 - 1 elements|memory limit"):
        edgecnn.load(data, num_threads=1)


def test_rank_and_dimension_limits():
    for shape, match in [((1,) * 9, None), ((2**31,), None), ((2**16, 2**16), None)]:
        with pytest.raises(edgecnn.ModelFormatError, match=match):
            edgecnn.load(single_unchecked(shape))


def single_unchecked(shape) -> bytes:
    """A Relu over an input of `shape`, written past the Python writer's checks."""
    original = ecnn_file.read_ecnn
    ecnn_file.read_ecnn = lambda *a, **k: None
    try:
        tensors = [Tensor("X", TensorKind.INPUT, tuple(shape)), Tensor("Y", TensorKind.ACTIVATION, None)]
        return ecnn_file.encode_ecnn(EcnnGraph(tensors, [Node("Relu", "r", [0], [1], {})], [0], [1]))
    finally:
        ecnn_file.read_ecnn = original


def chain(n: int) -> bytes:
    tensors = [Tensor("X", TensorKind.INPUT, (1, 4))]
    nodes = []
    for i in range(n):
        tensors.append(Tensor(f"t{i}", TensorKind.ACTIVATION, None))
        nodes.append(Node("Relu" if i % 2 else "Sigmoid", f"n{i}", [i], [i + 1], {}))
    return encode_ecnn(EcnnGraph(tensors, nodes, [0], [n]))


def test_long_chain_loads_and_plans_like_a_short_one():
    """50,000 nodes (the memory planner was quadratic: seconds here, minutes at
    the format's million); the plan reuses two buffers whatever the length."""
    short = edgecnn.load(chain(10), num_threads=1)
    long = edgecnn.load(chain(50_000), num_threads=1)
    x = np.linspace(-2, 2, 4, dtype=np.float32).reshape(1, 4)
    y = x
    for i in range(50_000):
        y = np.maximum(y, 0) if i % 2 else 1 / (1 + np.exp(-y))
    np.testing.assert_allclose(long.forward(x)[0], y, rtol=1e-5)
    assert short.forward(x)[0].shape == (1, 4)


def test_verify_false_skips_only_the_checksum():
    """A large model whose weights were damaged: verify=True refuses it, verify=False
    (which skips hashing the 16 MB) loads it and runs on the damaged weights."""
    rng = np.random.default_rng(5)
    w = rng.standard_normal((2048, 2048)).astype(np.float32)
    tensors = [Tensor("X", TensorKind.INPUT, (1, 2048)), Tensor("W", TensorKind.CONSTANT, w.shape, w),
               Tensor("Y", TensorKind.ACTIVATION, None)]
    data = bytearray(encode_ecnn(EcnnGraph(tensors, [Node("MatMul", "mm", [0, 1], [2], {})], [0], [2])))
    assert len(data) > 16 << 20
    x = rng.standard_normal((1, 2048)).astype(np.float32)
    good = edgecnn.load(bytes(data), num_threads=1).forward(x)[0]
    data[-4:] = np.float32(1e6).tobytes()  # the last weight, W[2047, 2047]
    with pytest.raises(edgecnn.ModelFormatError, match="checksum mismatch"):
        edgecnn.load(bytes(data))
    damaged = edgecnn.load(bytes(data), verify=False, num_threads=1).forward(x)[0]
    np.testing.assert_allclose(damaged[0, :2047], good[0, :2047], rtol=1e-4, atol=1e-3)
    assert damaged[0, 2047] != pytest.approx(good[0, 2047])


def test_deeply_nested_metadata_is_a_format_error():
    data = (REGRESSIONS / "metadata_deep_nesting.ecnn").read_bytes()
    with pytest.raises(edgecnn.ModelFormatError, match="META"):
        edgecnn.load(data)
    with pytest.raises(edgecnn.ModelFormatError, match="META"):
        read_ecnn(data)
