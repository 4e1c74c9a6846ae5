"""The C++ loader on malformed .ecnn files: truncated, bit-flipped, lying about
sizes, badly wired. Every case must raise an EdgecnnError naming the problem;
none may crash."""

import struct
import zlib

import numpy as np
import pytest

import edgecnn
from edgecnn import ecnn_file
from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind


def small_graph(**overrides):
    """X[1,3,8,8] -> Conv(4x3x3x3, pads 1) -> Relu -> Z."""
    rng = np.random.default_rng(7)
    tensors = [
        Tensor("X", TensorKind.INPUT, (1, 3, 8, 8)),
        Tensor("W", TensorKind.CONSTANT, (4, 3, 3, 3), rng.standard_normal((4, 3, 3, 3)).astype(np.float32)),
        Tensor("B", TensorKind.CONSTANT, (4,), rng.standard_normal(4).astype(np.float32)),
        Tensor("Y", TensorKind.ACTIVATION, (1, 4, 8, 8)),
        Tensor("Z", TensorKind.ACTIVATION, None),
    ]
    nodes = [
        Node("Conv", "conv0", [0, 1, 2], [3], {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}),
        Node("Relu", "relu0", [3], [4], {}),
    ]
    g = EcnnGraph(tensors, nodes, [0], [4], {"task": "classify"})
    for k, v in overrides.items():
        setattr(g, k, v)
    return g


def encode_unchecked(graph, monkeypatch):
    """Encodes without the Python writer's own validation, to hand the C++ loader a bad file."""
    monkeypatch.setattr(ecnn_file, "read_ecnn", lambda data: None)
    return ecnn_file.encode_ecnn(graph)


def refix_checksum(data: bytearray) -> bytearray:
    struct.pack_into("<I", data, 24, zlib.crc32(bytes(data[32:])) & 0xFFFFFFFF)
    return data


def expect_error(data, match=None, verify=True, cls=edgecnn.ModelFormatError):
    with pytest.raises(cls, match=match):
        edgecnn.load(bytes(data), verify=verify)


def test_valid_file_loads_and_runs():
    data = ecnn_file.encode_ecnn(small_graph())
    m = edgecnn.load(data)
    assert m.task == "classify"
    x = np.random.default_rng(0).standard_normal((1, 3, 8, 8)).astype(np.float32)
    (z,) = m.forward(x)
    assert z.shape == (1, 4, 8, 8) and (z >= 0).all() and (z > 0).any()


def test_every_truncation_is_rejected():
    data = ecnn_file.encode_ecnn(small_graph())
    for cut in range(len(data)):
        with pytest.raises(edgecnn.ModelFormatError):
            edgecnn.load(data[:cut])


def test_every_byte_flip_is_caught_by_the_checksum_or_the_header_checks():
    data = ecnn_file.encode_ecnn(small_graph())
    for pos in range(len(data)):
        bad = bytearray(data)
        bad[pos] ^= 0x5A
        with pytest.raises(edgecnn.EdgecnnError):
            edgecnn.load(bytes(bad))


def test_random_mutations_with_valid_checksum_never_crash(rng):
    # The checksum is recomputed, so the parser and validators see every lie.
    base = ecnn_file.encode_ecnn(small_graph())
    x = np.zeros((1, 3, 8, 8), np.float32)
    interesting = [0x00, 0x01, 0x7F, 0x80, 0xFF]
    loaded = 0
    for i in range(3000):
        bad = bytearray(base)
        for _ in range(int(rng.integers(1, 5))):
            pos = int(rng.integers(32, len(bad)))
            bad[pos] = int(rng.choice(interesting)) if rng.random() < 0.5 else int(rng.integers(0, 256))
        refix_checksum(bad)
        try:
            m = edgecnn.load(bytes(bad))
        except edgecnn.EdgecnnError:
            continue
        loaded += 1
        try:
            m.forward(np.zeros(m.input_shape, np.float32))
        except ValueError:
            pass
    assert loaded > 0  # weight-only mutations still load


def test_checksum_mismatch_and_verify_false():
    bad = bytearray(ecnn_file.encode_ecnn(small_graph()))
    bad[-1] ^= 1  # inside the weights: only the checksum notices
    expect_error(bad, match="checksum")
    edgecnn.load(bytes(bad), verify=False)


@pytest.mark.parametrize("field,value,match", [
    ("magic", b"ECNN\n\n\x1a\n", "magic"),
    ("version", 2, "version"),
    ("section_count", 1, "section count"),
    ("section_count", 1000, "section count"),
    ("file_size", 10**12, "file size"),
    ("flags", 6, "flags"),
])
def test_header_lies(field, value, match):
    data = bytearray(ecnn_file.encode_ecnn(small_graph()))
    offsets = {"magic": (0, "8s"), "version": (8, "<I"), "section_count": (12, "<I"), "file_size": (16, "<Q"),
               "flags": (28, "<I")}
    off, fmt = offsets[field]
    struct.pack_into(fmt, data, off, value)
    expect_error(refix_checksum(data), match=match)


@pytest.mark.parametrize("entry_field,value,match", [
    ("offset", 10**9, "past the end"),
    ("offset", 33, "multiple of 64"),
    ("size", 2**63, "past the end"),
    ("tag", b"BOGUS\0\0\0", "unknown section"),
])
def test_section_table_lies(entry_field, value, match):
    data = bytearray(ecnn_file.encode_ecnn(small_graph()))
    entry = 32 + 32  # the GRAPH entry
    off, fmt = {"tag": (0, "8s"), "offset": (8, "<Q"), "size": (16, "<Q")}[entry_field]
    struct.pack_into(fmt, data, entry + off, value)
    expect_error(refix_checksum(data), match=match)


def test_huge_tensor_count_is_refused_before_allocating():
    data = bytearray(ecnn_file.encode_ecnn(small_graph()))
    graph_offset = struct.unpack_from("<Q", data, 32 + 32 + 8)[0]
    struct.pack_into("<I", data, graph_offset, 0xFFFFFFFF)
    expect_error(refix_checksum(data), match="tensor count")
    struct.pack_into("<I", data, graph_offset, 900000)
    expect_error(refix_checksum(data), match="cannot fit")


def test_string_length_lie():
    data = bytearray(ecnn_file.encode_ecnn(small_graph()))
    graph_offset = struct.unpack_from("<Q", data, 32 + 32 + 8)[0]
    struct.pack_into("<I", data, graph_offset + 4, 0x7FFFFFFF)  # first tensor name length
    expect_error(refix_checksum(data), match="length")


def test_dimension_overflow(monkeypatch):
    g = small_graph()
    g.tensors[3] = Tensor("Y", TensorKind.ACTIVATION, (2**30, 2**30, 4, 4))
    expect_error(encode_unchecked(g, monkeypatch), match="2\\^31")


def test_constant_data_outside_weights(monkeypatch):
    data = bytearray(ecnn_file.encode_ecnn(small_graph()))
    weights_size = struct.unpack_from("<Q", data, 32 + 64 + 16)[0]
    raw = bytes(data)
    # Locate W's data_offset field: the 16 bytes after W's dims in the GRAPH section.
    graph_offset, graph_size = struct.unpack_from("<QQ", data, 32 + 32 + 8)
    section = raw[graph_offset:graph_offset + graph_size]
    dims_w = struct.pack("<4q", 4, 3, 3, 3)
    at = graph_offset + section.index(dims_w) + len(dims_w)
    struct.pack_into("<Q", data, at, (weights_size + 64) // 64 * 64)
    expect_error(refix_checksum(data), match="outside the WEIGHTS")


def test_node_reading_a_later_tensor_is_a_cycle(monkeypatch):
    g = small_graph()
    g.nodes = [g.nodes[1], g.nodes[0]]
    expect_error(encode_unchecked(g, monkeypatch), match="topological")


def test_tensor_produced_twice(monkeypatch):
    g = small_graph()
    g.nodes[1].outputs = [3]
    expect_error(encode_unchecked(g, monkeypatch), match="already produced|never produced")


def test_conv_weight_channel_mismatch_names_the_node(monkeypatch):
    g = small_graph()
    g.tensors[1] = Tensor("W", TensorKind.CONSTANT, (4, 2, 3, 3), np.ones((4, 2, 3, 3), np.float32))
    expect_error(encode_unchecked(g, monkeypatch), match="conv0")


def test_declared_shape_mismatch(monkeypatch):
    g = small_graph()
    g.tensors[3] = Tensor("Y", TensorKind.ACTIVATION, (1, 4, 7, 7))
    expect_error(encode_unchecked(g, monkeypatch), match="declared")


def test_unknown_ops_are_all_listed(monkeypatch):
    g = small_graph()
    g.nodes[0].op_type = "FancyConv"
    g.nodes[1].op_type = "Gelu2"
    with pytest.raises(edgecnn.UnsupportedOpError, match="FancyConv.*conv0.*Gelu2.*relu0"):
        edgecnn.load(encode_unchecked(g, monkeypatch))


def test_bad_attribute_type(monkeypatch):
    g = small_graph()
    g.nodes[0].attrs["pads"] = "one"
    expect_error(encode_unchecked(g, monkeypatch), match="pads")


def test_metadata_must_be_a_json_object(monkeypatch):
    g = small_graph()
    data = bytearray(ecnn_file.encode_ecnn(g))
    meta_offset, meta_size = struct.unpack_from("<QQ", data, 32 + 8)
    data[meta_offset:meta_offset + meta_size] = b"[" + b" " * (meta_size - 1)
    expect_error(refix_checksum(data), match="META")


def test_wrong_input_shape_and_dtype():
    m = edgecnn.load(ecnn_file.encode_ecnn(small_graph()))
    with pytest.raises(ValueError, match=r"\[1, 3, 8, 8\]"):
        m.forward(np.zeros((1, 3, 8, 9), np.float32))
    with pytest.raises(TypeError, match="floating"):
        m.forward(np.zeros((1, 3, 8, 8), np.int32))
    with pytest.raises(TypeError, match="path or bytes"):
        edgecnn.load(12345)


def test_duplicate_tensor_names(monkeypatch):
    g = small_graph()
    g.tensors[4] = Tensor("Y", TensorKind.ACTIVATION, None)
    expect_error(encode_unchecked(g, monkeypatch), match="used twice")
