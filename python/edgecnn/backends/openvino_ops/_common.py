"""What the OpenVINO op mappers share: the op set and the per-node context.

An op module defines ``OP_TYPE`` (the .ecnn operator it maps) and
``build(ctx) -> Output | list[Output]``: the OpenVINO outputs computing the
node's outputs, in order, from ``ctx`` (a NodeContext). A mapper raises
``ctx.unsupported(...)`` for a variant OpenVINO cannot run and
``ctx.bad(...)`` for an attribute the format does not allow.
"""

from __future__ import annotations

import importlib
import math
from typing import Any, Optional, Sequence

import numpy as np

from ..._errors import ModelFormatError, UnsupportedOpError

# opset14 (OpenVINO 2024.0) has every op used here, including the
# "ceil_torch" pooling rounding that matches ONNX / PyTorch ceil_mode.
_OPSET_MODULES = ("openvino.opset14", "openvino.runtime.opset14")


def opset():
    """OpenVINO's Python op-set module (opset14)."""
    from ..openvino_backend import import_openvino

    import_openvino()  # first, so that the import declines telemetry
    error = None
    for name in _OPSET_MODULES:
        try:
            return importlib.import_module(name)
        except ImportError as e:
            error = e
    raise ImportError(f"OpenVINO's opset14 is not available (OpenVINO >= 2024.0 is needed): {error}")


class NodeContext:
    """One .ecnn node during the build: its inputs as OpenVINO outputs, the
    values of its constant inputs, and its attributes."""

    def __init__(self, ops, node, index: int, inputs: Sequence, constants: Sequence):
        self.ops = ops
        self.node = node
        self.index = index
        self._inputs = list(inputs)  # OpenVINO Output or None (omitted)
        self._constants = list(constants)  # numpy array (constant tensor) or None

    # -- errors --------------------------------------------------------------

    def unsupported(self, message: str) -> UnsupportedOpError:
        return UnsupportedOpError(f"OpenVINO backend cannot run this {self.node.op_type}: {message}",
                                  [(self.node.op_type, self.node.name, message)])

    def bad(self, message: str) -> ModelFormatError:
        return ModelFormatError(message)

    # -- inputs ----------------------------------------------------------------

    @property
    def input_count(self) -> int:
        return len(self._inputs)

    def has_input(self, i: int) -> bool:
        return i < len(self._inputs) and self._inputs[i] is not None

    def input(self, i: int):
        if not self.has_input(i):
            raise self.bad(f"input {i} is required")
        return self._inputs[i]

    def optional_input(self, i: int):
        return self._inputs[i] if self.has_input(i) else None

    def inputs(self) -> list:
        return [x for x in self._inputs if x is not None]

    def const(self, i: int, what: str) -> np.ndarray:
        """The value of input `i`, which must be a constant tensor."""
        value = self._constants[i] if i < len(self._constants) else None
        if value is None:
            raise self.bad(f"{what} (input {i}) must be a constant tensor")
        return value

    def optional_const(self, i: int) -> Optional[np.ndarray]:
        return self._constants[i] if i < len(self._constants) else None

    def shape(self, i: int = 0) -> tuple:
        """The static shape of input `i`."""
        return static_shape(self.input(i))

    def rank(self, i: int = 0) -> int:
        return len(self.shape(i))

    # -- attributes --------------------------------------------------------------

    def attr(self, name: str, default: Any = None) -> Any:
        return self.node.attrs.get(name, default)

    def ints(self, name: str, default=None) -> Optional[list]:
        value = self.node.attrs.get(name)
        if value is None:
            return None if default is None else list(default)
        if isinstance(value, (int, np.integer)):
            return [int(value)]
        return [int(v) for v in value]

    def require(self, name: str) -> Any:
        if name not in self.node.attrs:
            raise self.bad(f"attribute '{name}' is required")
        return self.node.attrs[name]

    def axis(self, value: int, rank: int, what: str = "axis") -> int:
        value = int(value)
        if not -rank <= value < rank:
            raise self.bad(f"{what} {value} is out of range for rank {rank}")
        return value + rank if value < 0 else value

    # -- constants -----------------------------------------------------------------

    def f32(self, value) -> Any:
        return self.ops.constant(np.asarray(value, dtype=np.float32))

    def i64(self, values) -> Any:
        return self.ops.constant(np.asarray(values, dtype=np.int64))


def fold_inputs(ctx, combine):
    """combine(a, b) (an opset op) folded over the node's one or more inputs
    (Max, Min: numpy broadcasting)."""
    inputs = ctx.inputs()
    if not inputs:
        raise ctx.bad("needs at least one input")
    y = inputs[0]
    for x in inputs[1:]:
        y = combine(y, x).output(0)
    return y


def static_shape(output) -> tuple:
    shape = output.get_partial_shape()
    if not shape.is_static:
        raise ModelFormatError(f"OpenVINO inferred a dynamic shape {shape}")
    return tuple(int(d) for d in shape.to_shape())


def infinite(value: float) -> bool:
    return math.isinf(float(value))
