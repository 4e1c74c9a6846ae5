"""Helpers shared by the operator modules of this package.

An operator module defines ``OP_TYPE`` and any of:

``evaluate(node, inputs) -> list[np.ndarray]``
    numpy semantics of the op on constant inputs (``None`` for an omitted
    optional input), used by constant folding;
``fold(node, graph) -> list[np.ndarray] | None``
    folding that needs more than constant inputs (e.g. Shape of a tensor whose
    shape is known); returns None when the node cannot be folded;
``normalize(node, graph) -> None``
    rewrites the node into its .ecnn form (docs/format.md, "Operators") or
    raises Unsupported with the reason;
``conv_activation(node) -> dict``
    for activations a Conv can absorb: the Conv attributes describing it;
``output_shapes(node, graph) -> list[tuple] | None``
    output shapes where onnx's shape inference disagrees with the operator's
    semantics as runtimes implement them (None: trust onnx).
"""

from __future__ import annotations

import math
from typing import Callable, List, Optional, Sequence

import numpy as np


class Unsupported(Exception):
    """A node, or the variant of its op that it uses, cannot run on edgecnn."""


def const_input(graph, node, index: int, what: str) -> Optional[np.ndarray]:
    """The constant value of input `index`; None when omitted."""
    name = node.input(index)
    if not name:
        return None
    value = graph.const(name)
    if value is None:
        raise Unsupported(f"{what} (input {index}, '{name}') is computed at run time; it must be constant")
    return value


def known_shape(graph, name: str) -> tuple:
    shape = graph.shape(name)
    if shape is None:
        raise Unsupported(f"the shape of '{name}' is unknown after shape inference")
    return shape


def optional_input(inputs: Sequence, index: int) -> Optional[np.ndarray]:
    return inputs[index] if index < len(inputs) else None


def ints_attr_or_input(node, attr: str, value: Optional[np.ndarray]) -> Optional[List[int]]:
    """An int list an op takes as an attribute in older opsets and as an input
    (`value`, already looked up) in newer ones."""
    if attr in node.attrs:
        return [int(v) for v in node.attrs[attr]]
    if value is None:
        return None
    return [int(v) for v in np.asarray(value).reshape(-1)]


def normalize_axis(axis: int, rank: int, what: str = "axis") -> int:
    if not -rank <= axis < rank:
        raise Unsupported(f"{what} {axis} is out of range for rank {rank}")
    return axis + rank if axis < 0 else axis


def set_inputs(node, names: Sequence[str]) -> None:
    """Replaces the inputs, dropping omitted trailing ones."""
    names = list(names)
    while names and not names[-1]:
        names.pop()
    node.inputs = names


def unary(fn: Callable) -> Callable:
    def evaluate(node, inputs):
        x = inputs[0]
        return [np.asarray(fn(x)).astype(x.dtype, copy=False)]

    return evaluate


def binary(fn: Callable) -> Callable:
    def evaluate(node, inputs):
        return [np.asarray(fn(inputs[0], inputs[1]))]

    return evaluate


def spatial_pads(node, input_shape: Sequence[int], kernel_shape: Sequence[int]) -> List[int]:
    """Explicit ONNX `pads` (begins then ends) for Conv and pooling, resolving auto_pad.

    Removes auto_pad from the node's attributes.
    """
    spatial = list(input_shape[2:])
    n = len(kernel_shape)
    if len(spatial) != n:
        raise Unsupported(f"kernel of rank {n} for an input of shape {list(input_shape)}")
    strides = list(node.attrs.get("strides", [1] * n))
    dilations = list(node.attrs.get("dilations", [1] * n))
    auto_pad = node.attrs.pop("auto_pad", "NOTSET")
    if auto_pad == "NOTSET":
        return [int(p) for p in node.attrs.get("pads", [0] * 2 * n)]
    if auto_pad == "VALID":
        return [0] * 2 * n
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise Unsupported(f"auto_pad '{auto_pad}'")
    begins, ends = [], []
    for size, k, s, d in zip(spatial, kernel_shape, strides, dilations):
        out = math.ceil(size / s)
        total = max(0, (out - 1) * s + (k - 1) * d + 1 - size)
        small, large = total // 2, total - total // 2
        begins.append(small if auto_pad == "SAME_UPPER" else large)
        ends.append(large if auto_pad == "SAME_UPPER" else small)
    return begins + ends


def resolve_reshape(input_shape: Sequence[int], shape: Sequence[int], allowzero: int) -> List[int]:
    """ONNX Reshape's target with 0 (copy, unless allowzero) and -1 (infer) resolved."""
    out = []
    for i, d in enumerate(shape):
        if d == 0 and not allowzero:
            if i >= len(input_shape):
                raise Unsupported(f"Reshape copies dimension {i} (0) of a rank-{len(input_shape)} input")
            d = input_shape[i]
        out.append(int(d))
    if out.count(-1) > 1:
        raise Unsupported(f"Reshape target {list(shape)} has more than one -1")
    total = math.prod(input_shape)
    if -1 in out:
        known = math.prod(d for d in out if d != -1)
        if known == 0 or total % known:
            raise Unsupported(f"cannot reshape {list(input_shape)} into {list(shape)}")
        out[out.index(-1)] = total // known
    if math.prod(out) != total:
        raise Unsupported(f"cannot reshape {list(input_shape)} into {list(shape)}")
    return out


def slice_bounds(dim: int, start: int, end: int, step: int):
    """ONNX Slice's clamping of one axis: the (start, end) actually visited.

    For a negative step, end -1 means "through index 0".
    """
    if step == 0:
        raise Unsupported("Slice step 0")
    if start < 0:
        start += dim
    if end < 0:
        end += dim
    if step > 0:
        return min(max(start, 0), dim), min(max(end, 0), dim)
    return min(max(start, 0), dim - 1), min(max(end, -1), dim - 1)


def slice_params(rank_shape: Sequence[int], starts, ends, axes, steps):
    """Slice parameters with axes non-negative, steps explicit and bounds clamped.

    A negative-step slice that runs through index 0 gets end = -(dim + 1), which
    ONNX semantics map back to "before index 0".
    """
    rank = len(rank_shape)
    if starts is None or ends is None or len(starts) != len(ends):
        raise Unsupported("Slice starts and ends must be given and of equal length")
    axes = list(range(len(starts))) if axes is None else [normalize_axis(a, rank) for a in axes]
    steps = [1] * len(starts) if steps is None else list(steps)
    out_starts, out_ends = [], []
    for axis, start, end, step in zip(axes, starts, ends, steps):
        dim = rank_shape[axis]
        s, e = slice_bounds(dim, int(start), int(end), int(step))
        out_starts.append(s)
        out_ends.append(-(dim + 1) if e < 0 else e)
    return out_starts, out_ends, axes, [int(s) for s in steps]


def split_sizes(node, split: Optional[Sequence[int]], dim: int) -> List[int]:
    """Split's part sizes: given, or `num_outputs` (opset 18) or equal parts."""
    if split is not None and len(split):
        sizes = [int(s) for s in split]
    else:
        parts = int(node.attrs.get("num_outputs", len(node.outputs)))
        chunk = math.ceil(dim / parts)
        sizes = [min(chunk, max(dim - i * chunk, 0)) for i in range(parts)]
    if sum(sizes) != dim or any(s < 0 for s in sizes):
        raise Unsupported(f"Split sizes {sizes} do not add up to the dimension {dim}")
    return sizes


def reduce_axes(node, axes_input: Optional[np.ndarray], rank: int) -> Optional[List[int]]:
    """Reduce* axes: attribute (opset < 18) or input; None means every axis,
    or no axis when noop_with_empty_axes."""
    axes = ints_attr_or_input(node, "axes", axes_input)
    if not axes:
        return [] if node.attrs.get("noop_with_empty_axes", 0) else list(range(rank))
    return sorted(normalize_axis(a, rank) for a in axes)


def reduce_evaluator(reduce):
    """The constant-folding evaluate() of a Reduce* op whose numpy function
    is `reduce` (np.max, np.sum, ...)."""
    def evaluate(node, inputs):
        x = inputs[0]
        axes = reduce_axes(node, optional_input(inputs, 1), x.ndim)
        if not axes:
            return [x]
        return [reduce(x, axis=tuple(axes), keepdims=bool(node.attrs.get("keepdims", 1))).astype(x.dtype)]
    return evaluate


def reduce_normalize(node, graph) -> None:
    """Reduce* in its fallback form (docs/format.md, "Fallback operators"):
    explicit non-negative `axes` and `keepdims` attributes, input X only; with
    noop_with_empty_axes and no axes it is an Identity."""
    shape = known_shape(graph, node.inputs[0])
    axes = reduce_axes(node, const_input(graph, node, 1, "axes"), len(shape))
    keepdims = int(node.attrs.get("keepdims", 1))
    set_inputs(node, node.inputs[:1])
    if not axes:
        node.op_type, node.attrs = "Identity", {}
        return
    node.attrs = {"axes": axes, "keepdims": keepdims}


def pool_normalize(node, graph, keep: Sequence[str]) -> None:
    """MaxPool/AveragePool attributes: kernel_shape, strides, pads explicit, plus `keep` if set."""
    if "kernel_shape" not in node.attrs:
        raise Unsupported("has no kernel_shape")
    kernel = [int(k) for k in node.attrs["kernel_shape"]]
    pads = spatial_pads(node, known_shape(graph, node.inputs[0]), kernel)
    attrs = {"kernel_shape": kernel, "strides": [int(s) for s in node.attrs.get("strides", [1] * len(kernel))], "pads": pads}
    for name in keep:
        if name in node.attrs:
            attrs[name] = node.attrs[name]
    node.attrs = attrs


def ceil_mode_pool_shapes(node, graph) -> Optional[List[tuple]]:
    """Output shape of MaxPool/AveragePool with ceil_mode=1 and explicit pads.

    A window that would start in the end padding is dropped (as onnxruntime
    and PyTorch do, and the ONNX spec says since opset 19); onnx's shape
    inference keeps it, so its shape is replaced by this one.
    """
    a = node.attrs
    shape = graph.shape(node.inputs[0])
    if not a.get("ceil_mode", 0) or a.get("auto_pad", "NOTSET") != "NOTSET" or shape is None or "kernel_shape" not in a:
        return None
    kernel = [int(k) for k in a["kernel_shape"]]
    n = len(kernel)
    strides = [int(s) for s in a.get("strides", [1] * n)]
    dilations = [int(d) for d in a.get("dilations", [1] * n)]
    pads = [int(p) for p in a.get("pads", [0] * 2 * n)]
    spatial = []
    for i, size in enumerate(shape[2:]):
        span = size + pads[i] + pads[n + i] - dilations[i] * (kernel[i] - 1) - 1
        out = -(-span // strides[i]) + 1
        if (out - 1) * strides[i] >= size + pads[i]:
            out -= 1
        spatial.append(out)
    return [tuple(shape[:2]) + tuple(spatial)]
