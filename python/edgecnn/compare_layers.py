"""Per-layer times of edgecnn beside onnxruntime's and OpenVINO's own profiles
of the same ONNX model, so that a slow layer is found against the peers by
measurement. The command is tools/compare_layers.py (a development tool).

Each engine names its layers its own way; all of them are mapped back to the
ONNX node that edgecnn's profile names:
- onnxruntime's profiling JSON names a node by its ONNX name, or, for the
  NCHWc convolutions of its layout transformer, by its last output tensor
  plus "_nchwc" (the output of a fused Clip, say);
- OpenVINO's PERF_COUNT names a convolution "<ONNX name>/WithoutBiases", and a
  layout reorder "<tensor>_<from>_<to>_<consumer>"; reorders are reported as
  one row of their own;
- an elementwise node that edgecnn fuses into a convolution (activation,
  residual Add, SiLU's Mul) is charged to that convolution: the anchor of an
  elementwise node is the anchor of its latest-computed producer. The rule
  knows no more than the graph: an Add that edgecnn runs as a node of its
  own (two non-convolution inputs) is charged to its producer all the same,
  and its own row then shows no peer time.
- a convolution that edgecnn fuses into the one it feeds (its profile row is
  0; see Model.profile) has its peers' times moved to that consumer's row,
  whose edgecnn time holds both layers; the producer's op reads "Conv
  (fused)".
Times are means over the runs, in milliseconds.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

# Ops whose work edgecnn folds into the producing convolution's epilogue.
FUSABLE = {"Relu", "Clip", "Sigmoid", "HardSigmoid", "HardSwish", "Mul", "Add", "LeakyRelu", "Tanh",
           "BatchNormalization"}

REORDERS = "(reorders)"


class GraphIndex:
    """The ONNX graph's nodes in file (topological) order, with each tensor's
    producer and each node's anchor: the node whose row its time joins."""

    def __init__(self, nodes: Sequence[Tuple[str, str, Sequence[str], Sequence[str]]]):
        # nodes: (name, op_type, inputs, outputs), topologically ordered.
        self.order = {name: i for i, (name, _, _, _) in enumerate(nodes)}
        self.op = {name: op for name, op, _, _ in nodes}
        self.producer = {t: name for name, _, _, outs in nodes for t in outs}
        self.inputs = {name: list(inputs) for name, _, inputs, _ in nodes}
        self.anchor: Dict[str, str] = {}
        for name, op, inputs, _ in nodes:
            # Constants (Clip's bounds, say) are operands, not the data path.
            producers = [self.producer[t] for t in inputs
                         if t in self.producer and self.op[self.producer[t]] != "Constant"]
            if op in FUSABLE and producers:
                self.anchor[name] = self.anchor[max(producers, key=self.order.__getitem__)]
            else:
                self.anchor[name] = name

    @classmethod
    def from_onnx(cls, path: str) -> "GraphIndex":
        import onnx

        graph = onnx.load(path, load_external_data=False).graph
        return cls([(n.name, n.op_type, list(n.input), list(n.output)) for n in graph.node])

    def consumer_anchor(self, anchor: str) -> Optional[str]:
        """The anchor of the first node, in graph order, that reads a tensor
        produced under `anchor` and is not itself under it (None: no such node)."""
        outputs = {t for t, name in self.producer.items() if self.anchor[name] == anchor}
        for name in sorted(self.order, key=self.order.__getitem__):
            if self.anchor[name] != anchor and any(t in outputs for t in self.inputs[name]):
                return self.anchor[name]
        return None

    def resolve(self, peer_name: str) -> Optional[str]:
        """The anchor of a peer's node name, or None when it names no ONNX node."""
        for suffix in ("_kernel_time", "_nchwc", "/WithoutBiases"):
            if peer_name.endswith(suffix):
                peer_name = peer_name[: -len(suffix)]
        if peer_name in self.anchor:
            return self.anchor[peer_name]
        if peer_name in self.producer:
            return self.anchor[self.producer[peer_name]]
        return None


def charge(index: GraphIndex, events: Sequence[Tuple[str, str, float]], runs: int) -> Dict[str, float]:
    """events: (peer node name, peer op, seconds) over all runs -> anchor -> ms per run."""
    out: Dict[str, float] = {}
    for name, op, seconds in events:
        key = index.resolve(name)
        if key is None:
            key = REORDERS if op in ("Reorder", "Transpose", "ReorderInput", "ReorderOutput") else f"({op})"
        out[key] = out.get(key, 0.0) + seconds * 1e3 / runs
    return out


def ort_events(model: str, x: np.ndarray, threads: int, runs: int, tmp: str) -> List[Tuple[str, str, float]]:
    import onnxruntime as ort

    from .bench import ort_session_options

    opts = ort_session_options(threads)
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    feed = {sess.get_inputs()[0].name: x}
    for _ in range(3):
        sess.run(None, feed)
    # A second session profiles; its first run (allocations) is dropped below.
    opts.enable_profiling = True
    opts.profile_file_prefix = os.path.join(tmp, "ort")
    sess = ort.InferenceSession(model, opts, providers=["CPUExecutionProvider"])
    for _ in range(runs + 1):
        sess.run(None, feed)
    events = json.loads(Path(sess.end_profiling()).read_text())
    node_events = [e for e in events if e.get("cat") == "Node" and e["name"].endswith("_kernel_time")]
    per_run = len(node_events) // (runs + 1)
    return [(e["name"], e["args"].get("op_name", ""), e["dur"] * 1e-6) for e in node_events[per_run:]]


def openvino_events(model: str, x: np.ndarray, threads: int, runs: int) -> List[Tuple[str, str, float]]:
    from .backends.openvino_backend import import_openvino

    ov = import_openvino()
    from .bench import openvino_config

    core = ov.Core()
    config = dict(openvino_config(threads), PERF_COUNT=True)
    request = core.compile_model(core.read_model(model), "CPU", config).create_infer_request()
    for _ in range(3):
        request.infer({0: x})
    events = []
    for _ in range(runs):
        request.infer({0: x})
        events += [(p.node_name, p.node_type, p.real_time.total_seconds()) for p in request.get_profiling_info()
                   if p.real_time.total_seconds() > 0]
    return events


def compare(model: str, shape: Sequence[int], threads: int = 1, runs: int = 20,
            engines: Sequence[str] = ("onnxruntime", "openvino")) -> Tuple[List[dict], Dict[str, float]]:
    """Rows in edgecnn's execution order: node, op, output shape, ms per engine;
    and each engine's total of the rows no edgecnn node claims."""
    import edgecnn

    index = GraphIndex.from_onnx(model)
    x = np.random.default_rng(0).standard_normal(list(shape)).astype(np.float32)
    with tempfile.TemporaryDirectory() as tmp:
        ecnn = os.path.join(tmp, "model.ecnn")
        edgecnn.convert(model, ecnn, input_shape=list(shape))
        profile = edgecnn.load(ecnn, num_threads=threads).profile(x, runs=runs)
        peers = {}
        if "onnxruntime" in engines:
            peers["onnxruntime"] = charge(index, ort_events(model, x, threads, runs, tmp), runs)
        if "openvino" in engines:
            peers["openvino"] = charge(index, openvino_events(model, x, threads, runs), runs)
    rows = []
    claimed = set()
    for name, op, out_shape, seconds in profile.rows:
        key = index.anchor.get(name, name)
        row = {"node": name, "op": op, "shape": list(out_shape), "edgecnn": seconds * 1e3}
        if key not in claimed:  # a node fused into an earlier row has no time of its own
            for engine, times in peers.items():
                row[engine] = times.get(key, 0.0)
            claimed.add(key)
        rows.append(row)
    unclaimed = {engine: sum(v for k, v in times.items() if k not in claimed) for engine, times in peers.items()}
    return merge_fused(rows, index, list(peers)), unclaimed


def merge_fused(rows: List[dict], index: GraphIndex, engines: Sequence[str]) -> List[dict]:
    """Moves the peers' times of each fused convolution (an edgecnn time of 0)
    to the row of the convolution it feeds, and marks its op "Conv (fused)"."""
    by_key = {index.anchor.get(r["node"], r["node"]): r for r in rows}
    for row in rows:
        if row["op"] != "Conv" or row["edgecnn"] != 0.0:
            continue
        consumer = by_key.get(index.consumer_anchor(index.anchor.get(row["node"], row["node"])) or "")
        if consumer is None or consumer["op"] != "Conv":
            continue
        for engine in engines:
            if engine in row:
                consumer[engine] = consumer.get(engine, 0.0) + row[engine]
                row[engine] = 0.0
        row["op"] = "Conv (fused)"
    return rows


def input_shape(model: str) -> List[int]:
    """The model's input shape (from bench/models' manifest where it has one, else the file; batch 1)."""
    from .bench import _input_shape, _load_manifest

    return _input_shape(model, _load_manifest([model]))


def markdown(rows: List[dict], unclaimed: Dict[str, float], engines: Sequence[str], top: int = 0) -> str:
    def best_peer(row):
        values = [row[e] for e in engines if row.get(e)]
        return min(values) if values else None

    shown = rows
    if top:
        # The rows losing the most time to the best peer.
        shown = sorted(rows, key=lambda r: -(r["edgecnn"] - (best_peer(r) or r["edgecnn"])))[:top]
    head = "| node | op | output | edgecnn ms | " + " | ".join(f"{e} ms" for e in engines) + " | / best peer |"
    lines = [head, "|---|---|---|---:|" + "---:|" * len(engines) + "---:|"]
    for r in shown:
        peer = best_peer(r)
        cells = " | ".join(f"{r[e]:.3f}" if e in r else "" for e in engines)
        q = f"{r['edgecnn'] / peer:.2f}" if peer else ""
        lines.append(f"| {r['node']} | {r['op']} | {'x'.join(map(str, r['shape']))} | {r['edgecnn']:.3f} | "
                     f"{cells} | {q} |")
    lines.append("| not matched to an edgecnn node | | | | " +
                 " | ".join(f"{unclaimed.get(e, 0.0):.3f}" for e in engines) + " | |")
    totals = " | ".join(f"{sum(r.get(e, 0.0) for r in rows) + unclaimed.get(e, 0.0):.3f}" for e in engines)
    lines.append(f"| total | | | {sum(r['edgecnn'] for r in rows):.3f} | {totals} | |")
    return "\n".join(lines)
