"""The .ecnn writer and pure-Python reader (docs/format.md)."""

import json
import os
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from edgecnn._errors import ModelFormatError
from edgecnn import ecnn_file
from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, read_ecnn, write_ecnn

ALL_ATTRS = {
    "int": 7,
    "negative_int": -(2**40),
    "bool": True,
    "numpy_int": np.int64(3),
    "float": 0.1,
    "numpy_float": np.float32(2.5),
    "ints": [1, -2, 3],
    "tuple_ints": (4, 5),
    "numpy_ints": np.array([6, 7], dtype=np.int32),
    "floats": [0.5, -1.25],
    "mixed_numbers": [1, 2.5],
    "numpy_floats": np.array([0.25], dtype=np.float64),
    "empty_list": [],
    "string": "half_pixel ✓",
    "infinite": float("-inf"),
}
EXPECTED_ATTRS = {
    "int": 7,
    "negative_int": -(2**40),
    "bool": 1,
    "numpy_int": 3,
    "float": float(np.float32(0.1)),
    "numpy_float": 2.5,
    "ints": [1, -2, 3],
    "tuple_ints": [4, 5],
    "numpy_ints": [6, 7],
    "floats": [0.5, -1.25],
    "mixed_numbers": [1.0, 2.5],
    "numpy_floats": [0.25],
    "empty_list": [],
    "string": "half_pixel ✓",
    "infinite": float("-inf"),
}


def small_graph(attrs=None, metadata=None):
    rng = np.random.default_rng(0)
    tensors = [
        Tensor("input", TensorKind.INPUT, (1, 3, 4, 4)),
        Tensor("w", TensorKind.CONSTANT, (2, 3, 1, 1), rng.standard_normal((2, 3, 1, 1)).astype(np.float32)),
        Tensor("b", TensorKind.CONSTANT, (2,), np.array([1.0, -1.0], np.float32)),  # 8 bytes: the next one needs padding
        Tensor("scalar", TensorKind.CONSTANT, (), np.array(3.0, np.float32)),
        Tensor("conv", TensorKind.ACTIVATION, (1, 2, 4, 4)),
        Tensor("out", TensorKind.ACTIVATION, None),
    ]
    nodes = [
        Node("Conv", "conv0", [0, 1, 2], [4], {"kernel_shape": [1, 1]} if attrs is None else attrs),
        Node("Mul", "mul0", [4, 3], [5]),
    ]
    return EcnnGraph(tensors, nodes, [0], [5, 4], {"format": "ecnn", "labels": ["a", "b"]} if metadata is None else metadata)


def with_crc(data: bytes) -> bytes:
    """`data` with the header checksum recomputed (to reach checks after the CRC)."""
    data = bytearray(data)
    data[24:28] = struct.pack("<I", zlib.crc32(bytes(data[32:])) & 0xFFFFFFFF)
    return bytes(data)


def sections(data: bytes) -> dict:
    count = struct.unpack_from("<I", data, 12)[0]
    table = {}
    for i in range(count):
        tag, offset, size, _ = struct.unpack_from("<8sQQQ", data, 32 + 32 * i)
        table[tag.rstrip(b"\0").decode()] = (offset, size)
    return table


def test_round_trip_keeps_tensors_nodes_attributes_and_metadata():
    graph = small_graph(ALL_ATTRS)
    back = read_ecnn(write_ecnn(None, graph))
    assert [(t.name, t.kind, t.shape) for t in back.tensors] == [(t.name, t.kind, t.shape) for t in graph.tensors]
    for original, read in zip(graph.tensors, back.tensors):
        if original.kind == TensorKind.CONSTANT:
            np.testing.assert_array_equal(read.data, original.data, err_msg=original.name)
        else:
            assert read.data is None, original.name
    assert [(n.op_type, n.name, n.inputs, n.outputs) for n in back.nodes] == [
        ("Conv", "conv0", [0, 1, 2], [4]),
        ("Mul", "mul0", [4, 3], [5]),
    ]
    assert back.nodes[0].attrs == EXPECTED_ATTRS
    assert list(back.nodes[0].attrs) == list(ALL_ATTRS), "attribute order is kept"
    assert (back.inputs, back.outputs) == ([0], [5, 4])
    assert back.metadata == {"format": "ecnn", "labels": ["a", "b"]}


def test_attribute_type_codes_follow_the_spec():
    expected = {"int": 1, "bool": 1, "float": 2, "numpy_float": 2, "ints": 3, "empty_list": 3, "numpy_ints": 3,
                "floats": 4, "mixed_numbers": 4, "numpy_floats": 4, "string": 5}  # fmt: skip
    for name, code in expected.items():
        assert ecnn_file.attr_type(ALL_ATTRS[name]) == code, name


@pytest.mark.parametrize("value", [None, {"a": 1}, ["a", 1], np.zeros((2, 2)), object()])
def test_attribute_without_a_file_type_is_refused(value):
    with pytest.raises(TypeError, match="attribute 'bad'"):
        write_ecnn(None, small_graph({"bad": value}))


def test_header_sections_alignment_and_checksum():
    data = write_ecnn(None, small_graph())
    magic, version, count, size, crc, flags = struct.unpack_from("<8sIIQII", data)
    assert (magic, version, count, size, flags) == (b"ECNN\r\n\x1a\n", 1, 3, len(data), 0)
    assert crc == zlib.crc32(data[32:]) & 0xFFFFFFFF
    table = sections(data)
    assert set(table) == {"META", "GRAPH", "WEIGHTS"}
    for tag, (offset, length) in table.items():
        assert offset % 64 == 0 and offset >= 32 + 3 * 32, tag
        assert offset + length <= len(data), tag
    meta_offset, meta_size = table["META"]
    assert json.loads(data[meta_offset : meta_offset + meta_size]) == {"format": "ecnn", "labels": ["a", "b"]}
    # Constants are used in place: each must start 64-byte aligned in the file.
    base = np.frombuffer(data, np.uint8).ctypes.data
    for t in read_ecnn(data).tensors:
        if t.kind == TensorKind.CONSTANT:
            offset = t.data.ctypes.data - base
            assert offset % 64 == 0, f"{t.name} at file offset {offset}"
            assert table["WEIGHTS"][0] <= offset < table["WEIGHTS"][0] + table["WEIGHTS"][1], t.name


def test_corrupted_byte_fails_the_checksum():
    data = bytearray(write_ecnn(None, small_graph()))
    data[sections(bytes(data))["WEIGHTS"][0]] ^= 0x40
    with pytest.raises(ModelFormatError, match="checksum"):
        read_ecnn(bytes(data))


def _graph_section_with_trailing_bytes(data: bytes) -> bytes:
    # Grow GRAPH by 4 bytes into its padding: there are 4 spare bytes before
    # WEIGHTS only if the padding allows, so move nothing and check it does.
    table = sections(data)
    offset, size = table["GRAPH"]
    assert offset + size + 4 <= table["WEIGHTS"][0], "test graph leaves no padding after GRAPH"
    index = list(table).index("GRAPH")
    patched = bytearray(data)
    struct.pack_into("<Q", patched, 32 + 32 * index + 16, size + 4)
    return with_crc(bytes(patched))


@pytest.mark.parametrize(
    "case, corrupt, message",
    [
        ("bad magic", lambda d: b"ECNX" + d[4:], "magic"),
        ("truncated", lambda d: d[:-1], "file size mismatch"),
        ("padded", lambda d: d + b"\0", "file size mismatch"),
        ("short", lambda d: d[:20], "shorter than the 32-byte header"),
        ("version 2", lambda d: with_crc(d[:8] + struct.pack("<I", 2) + d[12:]), "version 2"),
        ("unknown flag", lambda d: with_crc(d[:28] + struct.pack("<I", 2) + d[32:]), "flags"),
        ("two sections", lambda d: with_crc(d[:12] + struct.pack("<I", 2) + d[16:]), "section count"),
        ("unknown tag", lambda d: with_crc(d[:32] + b"METX\0\0\0\0" + d[40:]), "unknown section 'METX'"),
        ("misaligned section", lambda d: with_crc(d[:40] + struct.pack("<Q", 129) + d[48:]), "multiple of 64"),
        ("graph trailing bytes", _graph_section_with_trailing_bytes, "trailing bytes"),
    ],
)
def test_reader_names_the_problem(case, corrupt, message):
    data = write_ecnn(None, small_graph())
    with pytest.raises(ModelFormatError, match=message):
        read_ecnn(corrupt(data))


def _graph(**changes):
    g = small_graph()
    for key, value in changes.items():
        setattr(g, key, value(g))
    return g


@pytest.mark.parametrize(
    "case, graph, message",
    [
        ("reads before produced", _graph(nodes=lambda g: g.nodes[::-1]), "before any node produces it"),
        ("constant output", _graph(outputs=lambda g: [1]), "is a constant"),
        ("never produced", _graph(nodes=lambda g: g.nodes[:1], outputs=lambda g: [4]), "'out'.* is never produced"),
        ("no outputs", _graph(outputs=lambda g: []), "no graph outputs"),
        ("duplicate name", _graph(tensors=lambda g: g.tensors[:5] + [Tensor("conv", TensorKind.ACTIVATION)]), "used twice"),
        ("input not listed", _graph(inputs=lambda g: [], ), "no graph inputs"),
        ("bad shape", _graph(tensors=lambda g: [Tensor("input", TensorKind.INPUT, (1, 0, 4, 4))] + g.tensors[1:]), "outside \\[1, 2\\^31\\)"),
        ("nul in name", _graph(tensors=lambda g: [Tensor("in\0put", TensorKind.INPUT, (1, 3, 4, 4))] + g.tensors[1:]), "NUL"),
        ("data mismatch", _graph(tensors=lambda g: g.tensors[:1] + [Tensor("w", TensorKind.CONSTANT, (2, 3), g.tensors[1].data)] + g.tensors[2:]), "does not match its data"),
    ],
)  # fmt: skip
def test_writer_refuses_graphs_that_break_the_format(case, graph, message):
    with pytest.raises(ModelFormatError, match=message):
        write_ecnn(None, graph)


def test_metadata_must_be_a_json_object():
    data = bytearray(write_ecnn(None, small_graph(metadata={"k": "v"})))
    offset, size = sections(bytes(data))["META"]
    assert size == len(b'{"k": "v"}')
    data[offset : offset + size] = b'["k", 1 ]'.ljust(size)
    with pytest.raises(ModelFormatError, match="not an object"):
        read_ecnn(with_crc(bytes(data)))


def test_atomic_write_replaces_the_file(tmp_path):
    path = tmp_path / "model.ecnn"
    path.write_bytes(b"old")
    data = write_ecnn(path, small_graph())
    assert path.read_bytes() == data
    assert sorted(os.listdir(tmp_path)) == ["model.ecnn"]


def test_invalid_graph_leaves_no_file(tmp_path):
    with pytest.raises(ModelFormatError):
        write_ecnn(tmp_path / "model.ecnn", _graph(outputs=lambda g: [1]))
    assert os.listdir(tmp_path) == []


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_failed_write_leaves_neither_file_nor_temporary(tmp_path, monkeypatch, failing):
    path = tmp_path / "model.ecnn"
    path.write_bytes(b"old")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="No space"):
        write_ecnn(path, small_graph())
    monkeypatch.undo()
    assert sorted(os.listdir(tmp_path)) == ["model.ecnn"], f"{failing}: temporary file left behind"
    assert path.read_bytes() == b"old", f"{failing}: the previous file was damaged"


_attr_values = st.one_of(
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(width=32, allow_nan=False),
    st.lists(st.integers(min_value=-(2**63), max_value=2**63 - 1), max_size=5),
    st.lists(st.floats(width=32, allow_nan=False), min_size=1, max_size=5),
    st.text(alphabet=st.characters(blacklist_characters="\0", blacklist_categories=("Cs",)), max_size=20),
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.text(alphabet="abcdefgh_", min_size=1, max_size=8), _attr_values, max_size=8))
def test_any_attribute_set_round_trips(attrs):
    back = read_ecnn(write_ecnn(None, small_graph(attrs))).nodes[0].attrs
    assert back == {k: list(v) if isinstance(v, list) else v for k, v in attrs.items()}
