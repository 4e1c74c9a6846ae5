"""The converter's working graph: ONNX nodes over named tensors, edited in place.

Tensors are named as in ONNX; an omitted optional input is the empty name.
Constants are tensors holding a numpy value; the graph input and activations
hold none. Attributes are plain Python values (int, float, str, lists, numpy
arrays for ONNX tensor attributes).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Tuple

import numpy as np


@dataclass
class Value:
    name: str
    dtype: Optional[np.dtype] = None  # None: unknown
    shape: Optional[Tuple[int, ...]] = None  # None: unknown or not static
    const: Optional[np.ndarray] = None


@dataclass(eq=False)
class Node:
    op_type: str
    name: str
    inputs: List[str]
    outputs: List[str]
    attrs: dict = field(default_factory=dict)
    domain: str = ""

    def input(self, index: int) -> str:
        """The name of input `index`, or "" when it is omitted."""
        return self.inputs[index] if index < len(self.inputs) else ""


class Graph:
    def __init__(self, values: Dict[str, Value], nodes: List[Node], input_name: str, output_names: List[str], opset: int):
        self.values = values
        self.nodes = nodes
        self.input_name = input_name
        self.output_names = output_names
        self.opset = opset  # of the default ONNX domain
        self._fresh = itertools.count()

    # -- tensors -----------------------------------------------------------

    def value(self, name: str) -> Value:
        if name not in self.values:
            self.values[name] = Value(name)
        return self.values[name]

    def const(self, name: str) -> Optional[np.ndarray]:
        """The value of constant `name`; None for a non-constant or omitted input."""
        v = self.values.get(name) if name else None
        return None if v is None else v.const

    def is_const(self, name: str) -> bool:
        return self.const(name) is not None

    def shape(self, name: str) -> Optional[Tuple[int, ...]]:
        v = self.values.get(name)
        if v is None:
            return None
        return tuple(v.const.shape) if v.const is not None else v.shape

    def dtype(self, name: str) -> Optional[np.dtype]:
        v = self.values.get(name)
        if v is None:
            return None
        return v.const.dtype if v.const is not None else v.dtype

    def set_const(self, name: str, array: np.ndarray) -> None:
        array = np.asarray(array)
        self.values[name] = Value(name, array.dtype, tuple(array.shape), array)

    def add_const(self, stem: str, array: np.ndarray) -> str:
        name = self.fresh_name(stem)
        self.set_const(name, array)
        return name

    def fresh_name(self, stem: str) -> str:
        while True:
            name = f"{stem}_{next(self._fresh)}"
            if name not in self.values:
                self.values[name] = Value(name)
                return name

    # -- structure -----------------------------------------------------------

    def producers(self) -> Dict[str, Node]:
        return {out: n for n in self.nodes for out in n.outputs if out}

    def consumers(self, name: str) -> List[Node]:
        return [n for n in self.nodes if name in n.inputs]

    def is_graph_output(self, name: str) -> bool:
        return name in self.output_names

    def has_single_use(self, name: str, user: Node) -> bool:
        """Whether `user` is the only reader of `name` (which is not a graph output)."""
        readers = self.consumers(name)
        return readers == [user] and user.inputs.count(name) == 1 and not self.is_graph_output(name)

    def replace_uses(self, old: str, new: str) -> None:
        """Points every reader of `old` (nodes and graph outputs) at `new`."""
        for n in self.nodes:
            n.inputs = [new if i == old else i for i in n.inputs]
        self.output_names = [new if o == old else o for o in self.output_names]

    def rename(self, old: str, new: str) -> None:
        """Renames tensor `old` to the unused name `new` everywhere."""
        for n in self.nodes:
            n.outputs = [new if o == old else o for o in n.outputs]
        self.replace_uses(old, new)
        value = self.values.pop(old)
        value.name = new
        self.values[new] = value

    def bypass(self, node: Node) -> None:
        """Removes a node that copies input 0 to output 0, keeping graph output names.

        When the output is a graph output the input's producer takes over the
        output's name; a node that copies a constant, the graph input or another
        graph output to a graph output stays (as it is then needed).
        """
        src, dst = node.inputs[0], node.outputs[0]
        if self.is_graph_output(dst):
            if self.is_const(src) or src == self.input_name or self.is_graph_output(src):
                return
            self.nodes.remove(node)
            self.values.pop(dst, None)
            self.rename(src, dst)
        else:
            self.nodes.remove(node)
            self.replace_uses(dst, src)
            self.values.pop(dst, None)

    def topological_sort(self) -> None:
        """Orders nodes so each runs after the producers of its inputs, keeping
        the existing order where it already is valid."""
        producer = self.producers()
        placed: set = set()
        ordered: List[Node] = []
        visiting: set = set()

        def visit(node: Node) -> None:
            if id(node) in placed:
                return
            # Iterative depth-first search: deep networks exceed Python's recursion limit.
            stack = [(node, iter(node.inputs))]
            visiting.add(id(node))
            while stack:
                current, pending = stack[-1]
                for name in pending:
                    dep = producer.get(name)
                    if dep is None or id(dep) in placed:
                        continue
                    if id(dep) in visiting:
                        raise ValueError(f"the graph has a cycle through node '{dep.name}'")
                    visiting.add(id(dep))
                    stack.append((dep, iter(dep.inputs)))
                    break
                else:
                    stack.pop()
                    visiting.discard(id(current))
                    placed.add(id(current))
                    ordered.append(current)

        for n in self.nodes:
            visit(n)
        self.nodes = ordered

    def remove_dead(self) -> int:
        """Drops nodes that no graph output depends on and tensors no one uses.

        Returns the number of nodes removed.
        """
        producer = self.producers()
        live: set = set()
        stack = list(self.output_names)
        seen_tensors = set(stack)
        while stack:
            n = producer.get(stack.pop())
            if n is None or id(n) in live:
                continue
            live.add(id(n))
            for name in n.inputs:
                if name and name not in seen_tensors:
                    seen_tensors.add(name)
                    stack.append(name)
        before = len(self.nodes)
        self.nodes = [n for n in self.nodes if id(n) in live]
        used = {self.input_name, *self.output_names}
        for n in self.nodes:
            used.update(n.inputs)
            used.update(n.outputs)
        for name in [k for k in self.values if k not in used]:
            del self.values[name]
        return before - len(self.nodes)
