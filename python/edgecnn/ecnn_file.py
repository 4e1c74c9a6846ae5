"""Reading and writing `.ecnn` files (docs/format.md, version 1).

The reader validates everything the format states about structure and wiring
and raises ModelFormatError naming the problem; it does not infer shapes (that
needs every operator's shape rules, which live in the C++ core).
"""

from __future__ import annotations

import enum
import json
import math
import os
import secrets
import struct
import zlib
from dataclasses import dataclass, field
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from ._errors import ModelFormatError

__all__ = [
    "AttrType",
    "EcnnGraph",
    "Node",
    "Tensor",
    "TensorKind",
    "read_ecnn",
    "write_ecnn",
]

MAGIC = b"ECNN\r\n\x1a\n"
VERSION = 1
FLAG_NEEDS_FALLBACK = 1
ALIGNMENT = 64

HEADER = struct.Struct("<8sIIQII")  # magic, version, section_count, file_size, checksum, flags
SECTION_ENTRY = struct.Struct("<8sQQQ")  # tag, offset, size, reserved
SECTION_TAGS = ("META", "GRAPH", "WEIGHTS")
MIN_SECTIONS, MAX_SECTIONS = 3, 16

MAX_METADATA_BYTES = 16 << 20
MAX_STRING_BYTES = 4096
MAX_TENSORS = 1_000_000
MAX_NODES = 1_000_000
MAX_EDGES = 64  # inputs or outputs of a node, of the graph
MAX_ATTRS = 64
MAX_ATTR_VALUES = 65536
MAX_RANK = 8
UNKNOWN_RANK = 255
MAX_DIM = 2**31 - 1
DTYPE_FLOAT32 = 1


class TensorKind(enum.IntEnum):
    ACTIVATION = 0
    CONSTANT = 1
    INPUT = 2


class AttrType(enum.IntEnum):
    INT = 1
    FLOAT = 2
    INTS = 3
    FLOATS = 4
    STRING = 5


@dataclass
class Tensor:
    name: str
    kind: TensorKind
    shape: Optional[Tuple[int, ...]] = None  # None: an activation whose shape the loader infers
    data: Optional[np.ndarray] = None  # float32, constants only


@dataclass
class Node:
    op_type: str
    name: str
    inputs: list  # tensor indices; -1 for an omitted optional input
    outputs: list
    attrs: dict = field(default_factory=dict)


@dataclass
class EcnnGraph:
    tensors: list
    nodes: list
    inputs: list
    outputs: list
    metadata: dict = field(default_factory=dict)
    flags: int = 0


# ---------------------------------------------------------------------------
# Attribute typing: the file's five attribute types from Python values.


def attr_type(value: Any) -> AttrType:
    """The file type of an attribute value.

    int/bool/numpy integer → INT; float/numpy floating → FLOAT (stored as f32);
    str → STRING; a list, tuple or 1-D numpy array → INTS if every element is
    an integer, FLOATS if any is a float. An empty list or tuple is INTS (an
    empty float array stays FLOATS).
    """
    if isinstance(value, (bool, int, np.integer)):
        return AttrType.INT
    if isinstance(value, (float, np.floating)):
        return AttrType.FLOAT
    if isinstance(value, str):
        return AttrType.STRING
    if isinstance(value, np.ndarray):
        if value.ndim != 1:
            raise TypeError(f"array attribute must be 1-D, got shape {value.shape}")
        if np.issubdtype(value.dtype, np.integer) or value.dtype == np.bool_:
            return AttrType.INTS
        if np.issubdtype(value.dtype, np.floating):
            return AttrType.FLOATS
        raise TypeError(f"array attribute of dtype {value.dtype} has no .ecnn attribute type")
    if isinstance(value, (list, tuple)):
        element_types = {attr_type(v) for v in value}
        if element_types <= {AttrType.INT}:
            return AttrType.INTS
        if element_types <= {AttrType.INT, AttrType.FLOAT}:
            return AttrType.FLOATS
        raise TypeError("list attribute elements must all be numbers")
    raise TypeError(f"{type(value).__name__} value has no .ecnn attribute type")


# ---------------------------------------------------------------------------
# Writing


class _Writer:
    def __init__(self) -> None:
        self.parts: list = []

    def raw(self, b: bytes) -> None:
        self.parts.append(b)

    def u8(self, v: int) -> None:
        self.parts.append(struct.pack("<B", v))

    def u32(self, v: int) -> None:
        self.parts.append(struct.pack("<I", v))

    def i32(self, v: int) -> None:
        self.parts.append(struct.pack("<i", v))

    def u64(self, v: int) -> None:
        self.parts.append(struct.pack("<Q", v))

    def i64s(self, values: Sequence[int]) -> None:
        self.parts.append(np.asarray(values, dtype="<i8").tobytes())

    def i32s(self, values: Sequence[int]) -> None:
        self.parts.append(np.asarray(values, dtype="<i4").tobytes())

    def f32s(self, values: Sequence[float]) -> None:
        self.parts.append(np.asarray(values, dtype="<f4").tobytes())

    def str(self, s: str, what: str) -> None:
        b = s.encode("utf-8")
        if len(b) > MAX_STRING_BYTES:
            raise ModelFormatError(f"{what} '{s[:60]}...' is {len(b)} bytes long; the limit is {MAX_STRING_BYTES}")
        if b"\0" in b:
            raise ModelFormatError(f"{what} {s!r} contains a NUL character")
        self.u32(len(b))
        self.raw(b)

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _align(n: int) -> int:
    return (n + ALIGNMENT - 1) // ALIGNMENT * ALIGNMENT


def _write_attr(w: _Writer, name: str, value: Any, where: str) -> None:
    try:
        kind = attr_type(value)
    except TypeError as e:
        raise TypeError(f"{where}, attribute '{name}': {e}") from None
    w.str(name, f"{where}: attribute name")
    w.u8(kind)
    if kind == AttrType.INT:
        w.i64s([int(value)])
    elif kind == AttrType.FLOAT:
        w.f32s([float(value)])
    elif kind == AttrType.STRING:
        w.str(value, f"{where}, attribute '{name}'")
    else:
        values = list(value)
        if len(values) > MAX_ATTR_VALUES:
            raise ModelFormatError(f"{where}, attribute '{name}': {len(values)} values exceed {MAX_ATTR_VALUES}")
        w.u32(len(values))
        if kind == AttrType.INTS:
            w.i64s([int(v) for v in values])
        else:
            w.f32s([float(v) for v in values])


def _constant_bytes(t: Tensor) -> bytes:
    if t.data is None:
        raise ModelFormatError(f"constant tensor '{t.name}' has no data")
    data = np.asarray(t.data)
    if not (np.issubdtype(data.dtype, np.floating) or np.issubdtype(data.dtype, np.integer)):
        raise ModelFormatError(f"constant tensor '{t.name}' has dtype {data.dtype}; .ecnn holds float32 only")
    if data.dtype != np.float32 and not np.array_equal(data.astype(np.float32), data):
        raise ModelFormatError(f"constant tensor '{t.name}' of dtype {data.dtype} is not exactly representable as float32")
    shape = t.shape if t.shape is not None else data.shape
    if tuple(shape) != data.shape:
        raise ModelFormatError(f"constant tensor '{t.name}': shape {tuple(shape)} does not match its data {data.shape}")
    return np.ascontiguousarray(data, dtype="<f4").tobytes()


def _encode_graph(graph: EcnnGraph) -> Tuple[bytes, bytes]:
    """The GRAPH and WEIGHTS sections."""
    w = _Writer()
    weights: list = []
    weights_size = 0
    w.u32(len(graph.tensors))
    for t in graph.tensors:
        w.str(t.name, "tensor name")
        kind = TensorKind(t.kind)
        shape = t.shape
        if shape is None and kind == TensorKind.CONSTANT and t.data is not None:
            shape = np.asarray(t.data).shape
        w.u8(DTYPE_FLOAT32)
        w.u8(kind)
        w.u8(UNKNOWN_RANK if shape is None else len(shape))
        w.u8(0)
        if shape is not None:
            w.i64s(shape)
        if kind == TensorKind.CONSTANT:
            data = _constant_bytes(Tensor(t.name, kind, shape, t.data))
            offset = _align(weights_size)
            if offset > weights_size:
                weights.append(bytes(offset - weights_size))
            weights.append(data)
            weights_size = offset + len(data)
            w.u64(offset)
            w.u64(len(data))
    w.u32(len(graph.nodes))
    for index, n in enumerate(graph.nodes):
        where = f"node {index} ('{n.name}', {n.op_type})"
        w.str(n.op_type, f"{where}: op_type")
        w.str(n.name, f"{where}: name")
        w.u32(len(n.inputs))
        w.i32s(n.inputs)
        w.u32(len(n.outputs))
        w.i32s(n.outputs)
        w.u32(len(n.attrs))
        for name, value in n.attrs.items():
            _write_attr(w, name, value, where)
    for edges in (graph.inputs, graph.outputs):
        w.u32(len(edges))
        w.i32s(edges)
    return w.getvalue(), b"".join(weights)


def encode_ecnn(graph: EcnnGraph, metadata: Optional[dict] = None) -> bytes:
    """The bytes of an .ecnn file holding `graph`; `metadata` overrides graph.metadata.

    The result is read back with read_ecnn before it is returned, so a graph
    that breaks a rule of the format raises ModelFormatError here.
    """
    meta = graph.metadata if metadata is None else metadata
    if not isinstance(meta, dict):
        raise ModelFormatError(f"metadata must be a dict, got {type(meta).__name__}")
    meta_bytes = json.dumps(meta, ensure_ascii=False, allow_nan=False, sort_keys=False).encode("utf-8")
    graph_bytes, weight_bytes = _encode_graph(graph)

    table_end = HEADER.size + len(SECTION_TAGS) * SECTION_ENTRY.size
    body = bytearray()  # everything after the section table
    entries = []
    for tag, payload in zip(SECTION_TAGS, (meta_bytes, graph_bytes, weight_bytes)):
        offset = _align(table_end + len(body))
        body += bytes(offset - table_end - len(body))
        entries.append(SECTION_ENTRY.pack(tag.encode("ascii"), offset, len(payload), 0))
        body += payload
    file_size = table_end + len(body)
    after_header = b"".join(entries) + bytes(body)
    checksum = zlib.crc32(after_header) & 0xFFFFFFFF
    header = HEADER.pack(MAGIC, VERSION, len(SECTION_TAGS), file_size, checksum, graph.flags)
    data = header + after_header
    read_ecnn(data)
    return data


def write_ecnn(path: Union[str, os.PathLike, None], graph: EcnnGraph, metadata: Optional[dict] = None) -> bytes:
    """Encodes `graph` (see encode_ecnn) and, when `path` is given, writes it atomically.

    The file appears complete or not at all: the bytes go to a temporary file
    in the same directory, which is synced and then renamed over `path`.
    Returns the bytes.
    """
    data = encode_ecnn(graph, metadata)
    if path is not None:
        write_atomically(path, data)
    return data


def write_atomically(path: Union[str, os.PathLike], data: bytes) -> None:
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    # Created with mode 0o666 so that the umask, not mkstemp's 0o600, decides
    # the permissions the final file gets.
    tmp = os.path.join(directory, f".{os.path.basename(path)}.{secrets.token_hex(6)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise


# ---------------------------------------------------------------------------
# Reading


class _Reader:
    """Bounds-checked little-endian reader over one section."""

    def __init__(self, data: memoryview, section: str) -> None:
        self.data = data
        self.pos = 0
        self.section = section

    def remaining(self) -> int:
        return len(self.data) - self.pos

    def take(self, n: int, what: str) -> memoryview:
        if n > self.remaining():
            raise ModelFormatError(
                f"{self.section} section truncated: {what} needs {n} bytes at offset {self.pos}, "
                f"{self.remaining()} left"
            )
        b = self.data[self.pos : self.pos + n]
        self.pos += n
        return b

    def unpack(self, fmt: str, what: str):
        s = struct.Struct("<" + fmt)
        return s.unpack(self.take(s.size, what))

    def u8(self, what: str) -> int:
        return self.unpack("B", what)[0]

    def u32(self, what: str) -> int:
        return self.unpack("I", what)[0]

    def array(self, dtype: str, n: int, what: str) -> np.ndarray:
        itemsize = np.dtype(dtype).itemsize
        return np.frombuffer(self.take(n * itemsize, what), dtype=dtype)

    def str(self, what: str) -> str:
        n = self.u32(what)
        if n > MAX_STRING_BYTES:
            raise ModelFormatError(f"{self.section} section: {what} length {n} exceeds {MAX_STRING_BYTES}")
        b = bytes(self.take(n, what))
        if b"\0" in b:
            raise ModelFormatError(f"{self.section} section: {what} contains a NUL byte")
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelFormatError(f"{self.section} section: {what} is not valid UTF-8") from None

    def count(self, what: str, limit: int, min_record: int) -> int:
        """A count of records whose encodings take at least min_record bytes each."""
        n = self.u32(what)
        if n > limit:
            raise ModelFormatError(f"{self.section} section: {what} {n} exceeds the limit {limit}")
        if n * min_record > self.remaining():
            raise ModelFormatError(
                f"{self.section} section: {what} {n} cannot fit in the {self.remaining()} bytes left"
            )
        return n


def _read_sections(data: memoryview, verify: bool = True) -> Tuple[dict, int]:
    if len(data) < HEADER.size:
        raise ModelFormatError(f"not an .ecnn file: {len(data)} bytes is shorter than the 32-byte header")
    magic, version, section_count, file_size, checksum, flags = HEADER.unpack(data[: HEADER.size])
    if magic != MAGIC:
        raise ModelFormatError("not an .ecnn file: bad magic bytes")
    if version != VERSION:
        raise ModelFormatError(f"unsupported .ecnn version {version} (this reader reads version {VERSION})")
    if file_size != len(data):
        raise ModelFormatError(
            f"file size mismatch: the header says {file_size} bytes, the file has {len(data)} (truncated or padded?)"
        )
    if flags & ~FLAG_NEEDS_FALLBACK:
        raise ModelFormatError(f"unknown header flags {flags:#x}")
    if not MIN_SECTIONS <= section_count <= MAX_SECTIONS:
        raise ModelFormatError(f"section count {section_count} outside [{MIN_SECTIONS}, {MAX_SECTIONS}]")
    table_end = HEADER.size + section_count * SECTION_ENTRY.size
    if table_end > len(data):
        raise ModelFormatError("section table extends past the end of the file")
    actual = zlib.crc32(data[HEADER.size :]) & 0xFFFFFFFF if verify else checksum
    if actual != checksum:
        raise ModelFormatError(
            f"checksum mismatch: the file is corrupted (stored CRC-32 {checksum:#010x}, computed {actual:#010x})"
        )
    sections: dict = {}
    for i in range(section_count):
        start = HEADER.size + i * SECTION_ENTRY.size
        raw_tag, offset, size, reserved = SECTION_ENTRY.unpack(data[start : start + SECTION_ENTRY.size])
        name = raw_tag.split(b"\0", 1)[0]
        if raw_tag[len(name) :].strip(b"\0") or not name.isascii():
            raise ModelFormatError("section tag is not NUL-padded ASCII")
        tag = name.decode("ascii")
        if reserved != 0:
            raise ModelFormatError(f"section '{tag}': reserved field is not 0")
        if offset % ALIGNMENT or offset < table_end:
            raise ModelFormatError(f"section '{tag}': offset {offset} is not a multiple of 64 past the section table")
        if offset > len(data) or size > len(data) - offset:
            raise ModelFormatError(
                f"section '{tag}': [{offset}, +{size}) extends past the end of the file ({len(data)} bytes)"
            )
        if tag not in SECTION_TAGS:
            raise ModelFormatError(f"unknown section '{tag}'")
        if tag in sections:
            raise ModelFormatError(f"section '{tag}' appears twice")
        for other, (o_offset, o_size) in sections.items():
            if offset < o_offset + o_size and o_offset < offset + size:
                raise ModelFormatError(f"section '{tag}' overlaps section '{other}'")
        sections[tag] = (offset, size)
    for tag in SECTION_TAGS:
        if tag not in sections:
            raise ModelFormatError(f"missing {tag} section")
    return sections, flags


def _read_metadata(raw: memoryview) -> dict:
    if len(raw) > MAX_METADATA_BYTES:
        raise ModelFormatError("META section larger than 16 MiB")
    try:
        meta = json.loads(bytes(raw).decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as e:  # RecursionError: nesting too deep
        raise ModelFormatError(f"META section is not UTF-8 JSON: {e}") from None
    if not isinstance(meta, dict):
        raise ModelFormatError(f"META section holds a JSON {type(meta).__name__}, not an object")
    return meta


def _read_tensor(r: _Reader, weights: memoryview, index: int) -> Tensor:
    name = r.str("tensor name")
    where = f"tensor {index} ('{name}')"
    dtype, kind, rank, reserved = r.unpack("BBBB", "tensor header")
    if dtype != DTYPE_FLOAT32:
        raise ModelFormatError(f"{where}: dtype {dtype} is not float32 ({DTYPE_FLOAT32})")
    if kind > max(TensorKind):
        raise ModelFormatError(f"{where}: unknown kind {kind}")
    if reserved != 0:
        raise ModelFormatError(f"{where}: reserved byte is not 0")
    kind = TensorKind(kind)
    shape = None
    if rank == UNKNOWN_RANK:
        if kind != TensorKind.ACTIVATION:
            raise ModelFormatError(f"{where}: only activations may leave their shape to inference")
    else:
        if rank > MAX_RANK:
            raise ModelFormatError(f"{where}: rank {rank} exceeds {MAX_RANK}")
        shape = tuple(int(d) for d in r.array("<i8", rank, "tensor dims"))
        numel = 1
        for axis, d in enumerate(shape):
            if not 1 <= d <= MAX_DIM:
                raise ModelFormatError(f"{where}: dimension {axis} is {d}, outside [1, 2^31)")
            numel *= d
        if numel > MAX_DIM:
            raise ModelFormatError(f"{where}: more than 2^31 - 1 elements")
    data = None
    if kind == TensorKind.CONSTANT:
        offset, size = r.unpack("QQ", "constant data location")
        expected = 4 * math.prod(shape)
        if offset % ALIGNMENT:
            raise ModelFormatError(f"{where}: data offset {offset} is not a multiple of 64")
        if size != expected:
            raise ModelFormatError(f"{where}: data size {size} does not match shape {list(shape)} ({expected} bytes)")
        if offset > len(weights) or size > len(weights) - offset:
            raise ModelFormatError(
                f"{where}: data [{offset}, +{size}) lies outside the WEIGHTS section of {len(weights)} bytes"
            )
        data = np.frombuffer(weights[offset : offset + size], dtype="<f4").reshape(shape)
    return Tensor(name, kind, shape, data)


def _read_attr(r: _Reader, where: str) -> Tuple[str, Any]:
    name = r.str("attribute name")
    kind = r.u8("attribute type")
    if kind == AttrType.INT:
        return name, int(r.array("<i8", 1, "int attribute")[0])
    if kind == AttrType.FLOAT:
        return name, float(r.array("<f4", 1, "float attribute")[0])
    if kind == AttrType.INTS:
        n = r.count("ints attribute length", MAX_ATTR_VALUES, 8)
        return name, [int(v) for v in r.array("<i8", n, "ints attribute")]
    if kind == AttrType.FLOATS:
        n = r.count("floats attribute length", MAX_ATTR_VALUES, 4)
        return name, [float(v) for v in r.array("<f4", n, "floats attribute")]
    if kind == AttrType.STRING:
        return name, r.str("string attribute")
    raise ModelFormatError(f"{where}, attribute '{name}': unknown attribute type {kind}")


def _read_node(r: _Reader, tensor_count: int, index: int) -> Node:
    op_type = r.str("node op_type")
    name = r.str("node name")
    where = f"node {index} ('{name}', {op_type})"
    inputs = [int(t) for t in r.array("<i4", r.count("node input count", MAX_EDGES, 4), "node inputs")]
    for i, t in enumerate(inputs):
        if not -1 <= t < tensor_count:
            raise ModelFormatError(f"{where}: input {i} refers to tensor {t}, outside [-1, {tensor_count})")
    output_count = r.count("node output count", MAX_EDGES, 4)
    if output_count == 0:
        raise ModelFormatError(f"{where}: has no outputs")
    outputs = [int(t) for t in r.array("<i4", output_count, "node outputs")]
    for i, t in enumerate(outputs):
        if not 0 <= t < tensor_count:
            raise ModelFormatError(f"{where}: output {i} refers to tensor {t}, outside [0, {tensor_count})")
    attrs: dict = {}
    for _ in range(r.count("node attribute count", MAX_ATTRS, 5)):
        attr_name, value = _read_attr(r, where)
        if attr_name in attrs:
            raise ModelFormatError(f"{where}: attribute '{attr_name}' appears twice")
        attrs[attr_name] = value
    return Node(op_type, name, inputs, outputs, attrs)


def _validate_wiring(g: EcnnGraph) -> None:
    """Every activation produced exactly once, before any node reads it."""

    def label(t: int) -> str:
        return f"tensor {t} ('{g.tensors[t].name}')"

    names = set()
    for t in g.tensors:
        if t.name in names:
            raise ModelFormatError(f"tensor name '{t.name}' is used twice")
        names.add(t.name)
    count = len(g.tensors)
    listed_inputs = set()
    for t in g.inputs:
        if not 0 <= t < count:
            raise ModelFormatError(f"graph input refers to tensor {t}, outside [0, {count})")
        if g.tensors[t].kind != TensorKind.INPUT:
            raise ModelFormatError(f"graph input {label(t)} is not of kind 'graph input'")
        if t in listed_inputs:
            raise ModelFormatError(f"graph input {label(t)} is listed twice")
        if g.tensors[t].shape is None:
            raise ModelFormatError(f"graph input {label(t)} has no shape")
        listed_inputs.add(t)
    available = set()
    for i, t in enumerate(g.tensors):
        if t.kind == TensorKind.INPUT and i not in listed_inputs:
            raise ModelFormatError(f"{label(i)} is of kind 'graph input' but not listed as one")
        if t.kind != TensorKind.ACTIVATION:
            available.add(i)
    for index, n in enumerate(g.nodes):
        where = f"node {index} ('{n.name}', {n.op_type})"
        for t in n.inputs:
            if t >= 0 and t not in available:
                raise ModelFormatError(
                    f"{where} reads {label(t)} before any node produces it "
                    "(nodes must be in topological order; the graph must be acyclic)"
                )
        for t in n.outputs:
            if g.tensors[t].kind != TensorKind.ACTIVATION:
                raise ModelFormatError(f"{where} writes {label(t)}, which is a constant or graph input")
            if t in available:
                raise ModelFormatError(f"{where} writes {label(t)}, which is already produced")
            available.add(t)
    for t in range(count):
        if t not in available:
            raise ModelFormatError(f"{label(t)} is never produced")
    listed_outputs = set()
    for t in g.outputs:
        if not 0 <= t < count:
            raise ModelFormatError(f"graph output refers to tensor {t}, outside [0, {count})")
        if g.tensors[t].kind == TensorKind.CONSTANT:
            raise ModelFormatError(f"graph output {label(t)} is a constant")
        if t in listed_outputs:
            raise ModelFormatError(f"graph output {label(t)} is listed twice")
        listed_outputs.add(t)


def read_ecnn(data: Union[bytes, bytearray, memoryview], *, verify: bool = True) -> EcnnGraph:
    """Parses and validates an .ecnn file held in memory.

    verify: check the CRC-32 (False skips it, as the native loader's flag does).

    Constant data are read-only float32 arrays viewing `data`.
    """
    view = memoryview(data).cast("B")
    sections, flags = _read_sections(view, verify)
    meta_offset, meta_size = sections["META"]
    metadata = _read_metadata(view[meta_offset : meta_offset + meta_size])
    w_offset, w_size = sections["WEIGHTS"]
    weights = view[w_offset : w_offset + w_size]
    g_offset, g_size = sections["GRAPH"]
    r = _Reader(view[g_offset : g_offset + g_size], "GRAPH")

    tensors = [_read_tensor(r, weights, i) for i in range(r.count("tensor count", MAX_TENSORS, 8))]
    nodes = [_read_node(r, len(tensors), i) for i in range(r.count("node count", MAX_NODES, 24))]
    edges = []
    for what in ("graph input", "graph output"):
        n = r.count(f"{what} count", MAX_EDGES, 4)
        if n == 0:
            raise ModelFormatError(f"the graph has no {what}s")
        edges.append([int(t) for t in r.array("<i4", n, what + "s")])
    if r.remaining():
        raise ModelFormatError(f"GRAPH section has {r.remaining()} trailing bytes")
    graph = EcnnGraph(tensors, nodes, edges[0], edges[1], metadata, flags)
    _validate_wiring(graph)
    return graph
