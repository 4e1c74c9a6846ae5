"""ONNX → .ecnn: the conversion pipeline."""

from __future__ import annotations

import collections
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .._errors import ConversionError, UnsupportedOpError
from ..ecnn_file import FLAG_NEEDS_FALLBACK, EcnnGraph, Node as EcnnNode, Tensor, TensorKind, write_ecnn
from . import fusion, ops
from .folding import fold_to_fixpoint
from .graph import Graph, Node
from .metadata import (Options, UltralyticsInfo, build_metadata, check_head_outputs, parse_ultralytics,
                       validate_options)
from .onnx_model import DEFAULT_DOMAINS, build_graph, graph_input, input_dims, load_model, upgrade_opset

FLOAT32 = np.dtype(np.float32)


@dataclass
class ConversionReport:
    output_path: Optional[str]
    node_count: int
    op_histogram: Dict[str, int]
    fused: Dict[str, int]  # rewrite → how many times it applied
    metadata: dict
    data: bytes = field(default=b"", repr=False)  # the .ecnn file
    # Ops only a fallback backend (OpenVINO) runs → node count; the file then
    # carries FLAG_NEEDS_FALLBACK (docs/format.md, "Fallback operators").
    fallback_ops: Dict[str, int] = field(default_factory=dict)

    @property
    def needs_fallback(self) -> bool:
        return bool(self.fallback_ops)

    def summary(self) -> str:
        fused = ", ".join(f"{k} {v}" for k, v in self.fused.items() if v) or "none"
        ops_text = ", ".join(f"{op} {n}" for op, n in sorted(self.op_histogram.items(), key=lambda kv: -kv[1]))
        shape = "x".join(str(d) for d in self.metadata.get("input_shape", []))
        lines = [
            f"wrote {self.output_path}" if self.output_path else "converted (not written)",
            f"  nodes: {self.node_count} ({ops_text})",
            f"  fused: {fused}",
            f"  task: {self.metadata.get('task') or 'none'}, input {self.metadata.get('input_name')} {shape}",
        ]
        if self.fallback_ops:
            listed = ", ".join(f"{op} {n}" for op, n in sorted(self.fallback_ops.items()))
            lines.append(f"  backend: needs the OpenVINO fallback (the native core lacks {listed}); "
                         "edgecnn.load picks it automatically (pip install 'edgecnn[openvino]')")
        else:
            lines.append("  backend: native (the C++ core runs every op)")
        return "\n".join(lines)


def producer_name() -> str:
    try:
        from importlib.metadata import PackageNotFoundError, version

        return f"edgecnn-convert {version('edgecnn')}"
    except PackageNotFoundError:
        return "edgecnn-convert (unknown version)"


def _fixed_input_shape(model, options: Options, ultralytics: Optional[UltralyticsInfo]) -> Tuple[int, ...]:
    """The static input shape: the input_shape option, else the model's own
    dims with a dynamic batch as 1, else the Ultralytics imgsz."""
    inp = graph_input(model)
    dims = input_dims(inp)
    if options.input_shape is not None:
        wanted = options.input_shape
        if dims is not None:
            if len(wanted) != len(dims):
                raise ValueError(f"input_shape {list(wanted)} has rank {len(wanted)}; input '{inp.name}' has rank {len(dims)}")
            clash = [i for i, (w, d) in enumerate(zip(wanted, dims)) if d is not None and w != d]
            if clash:
                raise ValueError(
                    f"input_shape {list(wanted)} conflicts with the static dims of input '{inp.name}' "
                    f"{_dims_text(dims)} at axis {clash[0]}"
                )
        return tuple(wanted)
    if dims is not None and dims and dims[0] is None:
        dims = [1] + dims[1:]
    if dims is not None and all(d is not None for d in dims):
        return tuple(dims)
    if ultralytics is not None and ultralytics.imgsz is not None and (dims is None or len(dims) == 4):
        channels = dims[1] if dims is not None and dims[1] is not None else 3
        return (1, channels) + ultralytics.imgsz
    raise ConversionError(
        f"input '{inp.name}' has dynamic dims {_dims_text(dims)}; give the size to convert at, "
        "e.g. input_shape=(1, 3, 640, 640) (--input-shape 1,3,640,640)"
    )


def _dims_text(dims) -> str:
    return "[unknown rank]" if dims is None else "[" + ", ".join("?" if d is None else str(d) for d in dims) + "]"


def _node_problem(node: Node, graph: Graph) -> Optional[str]:
    """Normalizes `node` in place; returns why it cannot run, if it cannot
    (neither natively nor, for ops.FALLBACK_OPS, on a fallback backend)."""
    if node.domain not in DEFAULT_DOMAINS:
        return f"operator of domain '{node.domain}' is not supported"
    module = ops.module_for(node.op_type)
    if module is not None and hasattr(module, "normalize"):
        try:
            module.normalize(node, graph)
        except ops.Unsupported as e:
            return str(e)
    if node.op_type not in ops.NATIVE_OPS and node.op_type not in ops.FALLBACK_OPS:
        if module is not None and (hasattr(module, "evaluate") or hasattr(module, "fold")):
            return "is supported only on constant inputs (for constant folding), and its inputs are computed at run time"
        return "operator not supported"
    for name in node.inputs + node.outputs:
        dtype = graph.dtype(name) if name else None
        if dtype is not None and dtype != FLOAT32:
            return f"tensor '{name}' is {dtype}; edgecnn runs float32 tensors only"
    return None


def normalize_nodes(graph: Graph) -> None:
    """Puts every node in .ecnn form; raises one UnsupportedOpError listing every
    node that cannot run (on the native core nor on the fallback backend)."""
    problems = []
    for node in list(graph.nodes):
        reason = _node_problem(node, graph)
        if reason is not None:
            problems.append((node.op_type, node.name, reason))
    if problems:
        lines = "\n".join(f"  {op} ({name}): {reason}" for op, name, reason in problems)
        raise UnsupportedOpError(f"{len(problems)} node(s) cannot run on edgecnn "
                                 f"(natively or on the OpenVINO fallback):\n{lines}", problems)


def fallback_ops(graph: Graph) -> Dict[str, int]:
    """Op type → count of the nodes only a fallback backend runs."""
    return dict(collections.Counter(n.op_type for n in graph.nodes if n.op_type not in ops.NATIVE_OPS))


def _constant_outputs_as_copies(graph: Graph) -> None:
    """A graph output must be produced by a node: a constant one gets an Identity."""
    for name in list(graph.output_names):
        if graph.is_const(name):
            if not np.issubdtype(graph.dtype(name), np.floating):
                raise ConversionError(f"graph output '{name}' is a constant of type {graph.dtype(name)}; edgecnn outputs float32")
            value = graph.values.pop(name)
            source = graph.add_const(name + "_value", value.const.astype(np.float32))
            graph.value(name).shape, graph.value(name).dtype = value.const.shape, FLOAT32
            graph.nodes.append(Node("Identity", name + "_copy", [source], [name]))


def to_ecnn_graph(graph: Graph, metadata: dict) -> EcnnGraph:
    index: Dict[str, int] = {}
    tensors: List[Tensor] = []

    def add(name: str, kind: TensorKind) -> int:
        if name not in index:
            value = graph.values[name]
            data = None if value.const is None else value.const.astype(np.float32, copy=False)
            shape = graph.shape(name)
            if kind == TensorKind.ACTIVATION and shape is not None and not all(d >= 1 for d in shape):
                shape = None  # left to the loader
            index[name] = len(tensors)
            tensors.append(Tensor(name, kind, None if shape is None else tuple(int(d) for d in shape), data))
        return index[name]

    add(graph.input_name, TensorKind.INPUT)
    nodes = []
    for n in graph.nodes:
        inputs = [add(i, TensorKind.CONSTANT if graph.is_const(i) else TensorKind.ACTIVATION) if i else -1 for i in n.inputs]
        outputs = [add(o, TensorKind.ACTIVATION) for o in n.outputs]
        nodes.append(EcnnNode(n.op_type, n.name, inputs, outputs, dict(n.attrs)))
    return EcnnGraph(tensors, nodes, [index[graph.input_name]], [index[o] for o in graph.output_names], metadata)


def convert(
    model,
    out_path=None,
    *,
    task: Optional[str] = None,
    input_shape: Optional[Sequence[int]] = None,
    labels=None,
    mean: Optional[Sequence[float]] = None,
    std: Optional[Sequence[float]] = None,
    color: Optional[str] = None,
    heads: Optional[dict] = None,
) -> ConversionReport:
    """Converts an ONNX model (a path or a ModelProto) to an .ecnn file at
    `out_path` (None: only return the bytes, in the report's `data`).

    Raises ValueError for a bad option, UnsupportedOpError listing every node
    edgecnn cannot run, ConversionError for other problems; writes no file then.
    """
    options = validate_options(task, input_shape, labels, mean, std, color, heads)
    proto, source = load_model(model)
    ultralytics = parse_ultralytics({p.key: p.value for p in proto.metadata_props})
    proto = upgrade_opset(proto)
    shape = _fixed_input_shape(proto, options, ultralytics)
    graph = build_graph(proto, shape)
    onnx_output_names = list(graph.output_names)
    check_head_outputs(options, onnx_output_names)

    fused = collections.Counter()
    fused["constant-folded"] = fold_to_fixpoint(graph, proto)
    normalize_nodes(graph)
    fused["identity-removed"] = fusion.remove_identities(graph)
    fused["batchnorm"] = fusion.fold_batch_norms(graph)
    fused["silu"] = fusion.fuse_silu(graph)
    fused["activation"] = fusion.fuse_conv_activations(graph)
    fused["residual"] = fusion.fuse_residual_adds(graph)
    fused["channel-scale"] = fusion.fuse_channel_scales(graph)
    _constant_outputs_as_copies(graph)
    graph.remove_dead()
    graph.topological_sort()
    if graph.output_names != onnx_output_names:
        raise ConversionError(f"internal error: graph outputs became {graph.output_names}")

    metadata = build_metadata(
        options,
        ultralytics,
        producer=producer_name(),
        source=source,
        input_name=graph.input_name,
        input_shape=shape,
        output_names=graph.output_names,
    )
    ecnn_graph = to_ecnn_graph(graph, metadata)
    fallback = fallback_ops(graph)
    if fallback:
        ecnn_graph.flags |= FLAG_NEEDS_FALLBACK
    data = write_ecnn(out_path, ecnn_graph)
    path = None if out_path is None else os.fspath(out_path)
    histogram = dict(collections.Counter(n.op_type for n in graph.nodes))
    return ConversionReport(path, len(graph.nodes), histogram, dict(fused), metadata, data, fallback)
