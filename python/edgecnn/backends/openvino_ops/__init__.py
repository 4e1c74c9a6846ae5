"""The .ecnn graph as an OpenVINO model: one module per operator (see
_common.py for what a module defines) and the builder that wires them."""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from typing import Callable, Dict, List

import numpy as np

from ..._errors import ModelFormatError, UnsupportedOpError
from ...ecnn_file import EcnnGraph, TensorKind
from ._common import NodeContext, opset, static_shape

__all__ = ["MAPPERS", "BuiltModel", "build_model", "supported_ops"]


def _load_mappers() -> Dict[str, Callable]:
    mappers = {}
    for info in pkgutil.iter_modules(__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        mappers[module.OP_TYPE] = module.build
    return mappers


MAPPERS: Dict[str, Callable] = _load_mappers()


def supported_ops() -> List[str]:
    """The .ecnn operators the OpenVINO backend maps."""
    return sorted(MAPPERS)


@dataclass
class BuiltModel:
    model: object  # openvino.Model
    inputs: list  # (name, shape)
    outputs: list  # (name, shape)
    nodes: list  # (node name, op type, first output name, its shape), in node order


def _label(node, index: int) -> str:
    return f"node {index} ('{node.name}', {node.op_type})"


def build_model(graph: EcnnGraph) -> BuiltModel:
    """An openvino.Model computing `graph`; raises UnsupportedOpError listing
    every node without a mapper, and ModelFormatError for a malformed node or a
    declared shape that differs from the computed one."""
    from ..openvino_backend import import_openvino

    ov = import_openvino()
    ops = opset()
    missing = [(n.op_type, n.name, "no OpenVINO mapping") for n in graph.nodes if n.op_type not in MAPPERS]
    if missing:
        listed = "; ".join(f"{op} ('{name}')" for op, name, _ in missing)
        raise UnsupportedOpError(f"the OpenVINO backend does not support {len(missing)} node(s): {listed}", missing)

    values: dict = {}  # tensor index -> openvino Output
    parameters = []
    for t in graph.inputs:
        tensor = graph.tensors[t]
        p = ops.parameter(list(tensor.shape), np.float32, name=tensor.name)
        p.output(0).get_tensor().set_names({tensor.name})
        parameters.append(p)
        values[t] = p.output(0)

    def value(t: int):
        if t < 0:
            return None
        if t not in values:  # a constant, created on first use
            values[t] = ops.constant(np.asarray(graph.tensors[t].data, dtype=np.float32)).output(0)
        return values[t]

    nodes = []
    for index, node in enumerate(graph.nodes):
        constants = [graph.tensors[t].data if t >= 0 and graph.tensors[t].kind == TensorKind.CONSTANT else None
                     for t in node.inputs]
        ctx = NodeContext(ops, node, index, [value(t) for t in node.inputs], constants)
        try:
            outs = MAPPERS[node.op_type](ctx)
            outs = list(outs) if isinstance(outs, (list, tuple)) else [outs]
            if len(outs) != len(node.outputs):
                raise ModelFormatError(f"computes {len(outs)} outputs, has {len(node.outputs)}")
            shapes = [static_shape(o) for o in outs]
        except UnsupportedOpError as e:
            raise UnsupportedOpError(f"{_label(node, index)}: {e}", e.ops) from None
        except ModelFormatError as e:
            raise ModelFormatError(f"{_label(node, index)}: {e}") from None
        except (RuntimeError, ValueError, TypeError) as e:  # OpenVINO's own validation
            first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
            raise ModelFormatError(f"{_label(node, index)}: OpenVINO rejects it: {first}") from None
        for o, t, shape in zip(outs, node.outputs, shapes):
            declared = graph.tensors[t].shape
            if declared is not None and tuple(declared) != shape:
                raise ModelFormatError(f"{_label(node, index)}: output '{graph.tensors[t].name}' is declared "
                                       f"{list(declared)} but computes to {list(shape)}")
            o.get_tensor().add_names({graph.tensors[t].name})
            values[t] = o
        nodes.append((node.name, node.op_type, graph.tensors[node.outputs[0]].name, shapes[0]))

    results = []
    for t in graph.outputs:
        r = ops.result(value(t))
        r.set_friendly_name(graph.tensors[t].name)
        results.append(r)
    model = ov.Model(results, parameters, "edgecnn")
    inputs = [(graph.tensors[t].name, tuple(graph.tensors[t].shape)) for t in graph.inputs]
    outputs = [(graph.tensors[t].name, static_shape(values[t])) for t in graph.outputs]
    return BuiltModel(model, inputs, outputs, nodes)
