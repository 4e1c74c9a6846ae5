"""Constant folding: nodes computable at conversion time become constants.

A node folds when every input is constant and its op module has a numpy
`evaluate`, or when its module's own `fold` succeeds (Shape and Size of a
tensor whose shape is known). Folding and shape inference alternate until
nothing more folds: folding a shape computation lets shape inference resolve
the tensors after it, whose Shape nodes may then fold in turn.
"""

from __future__ import annotations

from typing import List, Optional

import numpy as np

from .._errors import ConversionError
from . import ops
from .graph import Graph, Node
from .onnx_model import DEFAULT_DOMAINS, infer_shapes


def _folded_outputs(node: Node, graph: Graph) -> Optional[List[np.ndarray]]:
    if node.domain not in DEFAULT_DOMAINS:
        return None
    module = ops.module_for(node.op_type)
    if module is None:
        return None
    if hasattr(module, "fold"):
        return module.fold(node, graph)
    if not hasattr(module, "evaluate"):
        return None
    if not all(graph.is_const(name) for name in node.inputs if name):
        return None
    # ONNX float arithmetic yields inf/nan where numpy would also warn.
    with np.errstate(all="ignore"):
        return module.evaluate(node, [graph.const(name) if name else None for name in node.inputs])


def fold_constants(graph: Graph) -> int:
    """Folds what can be folded with the shapes known now; returns how many nodes folded."""
    folded = 0
    for node in list(graph.nodes):
        try:
            results = _folded_outputs(node, graph)
        except ops.Unsupported:
            continue  # left for the supported-op check to report
        except (ValueError, TypeError, IndexError, KeyError, ArithmeticError) as e:
            raise ConversionError(f"cannot evaluate {node.op_type} ({node.name}) on its constant inputs: {e}") from None
        if results is None:
            continue
        for name, value in zip(node.outputs, results):
            graph.set_const(name, np.asarray(value))
        graph.nodes.remove(node)
        folded += 1
    return folded


def fold_to_fixpoint(graph: Graph, model) -> int:
    """Alternates shape inference and folding until nothing folds; returns the
    number of nodes folded. Leaves shapes inferred and dead nodes removed."""
    total = 0
    while True:
        infer_shapes(graph, model)
        folded = fold_constants(graph)
        graph.remove_dead()
        if not folded:
            return total
        total += folded
