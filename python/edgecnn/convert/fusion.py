"""Rewrites of the normalized graph that merge nodes, mostly into Conv
(docs/format.md, "Fused convolution").

A node is merged into its producer only when the producer's output has that
node as its only reader and is not a graph output; the merged node's output
tensor (and so its name) takes the place of the producer's.
"""

from __future__ import annotations

from typing import Optional

import numpy as np

from . import ops
from .graph import Graph, Node

FOLDABLE_INTO_BATCH_NORM = ("Conv", "ConvTranspose")


def _is_plain_conv(node: Node, op_types=("Conv",)) -> bool:
    """A convolution the fusions have not touched yet."""
    return node.op_type in op_types and "activation" not in node.attrs and len(node.inputs) <= 3


def _absorb(graph: Graph, producer: Node, follower: Node) -> None:
    """`producer` computes what `follower` did; `follower` disappears."""
    old = producer.outputs[0]
    producer.outputs[0] = follower.outputs[0]
    graph.nodes.remove(follower)
    graph.values.pop(old, None)


def _sole_reader(graph: Graph, name: str) -> Optional[Node]:
    readers = graph.consumers(name)
    return readers[0] if len(readers) == 1 and graph.has_single_use(name, readers[0]) else None


def remove_identities(graph: Graph) -> int:
    before = len(graph.nodes)
    for node in [n for n in graph.nodes if n.op_type == "Identity"]:
        graph.bypass(node)
    return before - len(graph.nodes)


def fold_batch_norms(graph: Graph) -> int:
    """BatchNormalization after a Conv/ConvTranspose becomes new weights and bias."""
    count = 0
    for bn in [n for n in graph.nodes if n.op_type == "BatchNormalization"]:
        conv = graph.producers().get(bn.inputs[0])
        if conv is None or not _is_plain_conv(conv, FOLDABLE_INTO_BATCH_NORM) or _sole_reader(graph, bn.inputs[0]) is not bn:
            continue
        weights = graph.const(conv.inputs[1]).astype(np.float64)
        scale, beta, mean, var = (graph.const(name).astype(np.float64).reshape(-1) for name in bn.inputs[1:5])
        factor = scale / np.sqrt(var + bn.attrs["epsilon"])
        kernel_rank = weights.ndim - 2
        group = conv.attrs["group"]
        if conv.op_type == "Conv":
            out_channels = weights.shape[0]
            folded = weights * factor.reshape((-1,) + (1,) * (kernel_rank + 1))
        else:
            # ConvTranspose weights are (C_in, C_out / group, k...): output
            # channel g·(C_out/group) + j lives at [g·(C_in/group) + i, j].
            out_channels = weights.shape[1] * group
            grouped = weights.reshape((group, weights.shape[0] // group) + weights.shape[1:])
            folded = (grouped * factor.reshape((group, 1, -1) + (1,) * kernel_rank)).reshape(weights.shape)
        if factor.size != out_channels:
            continue
        bias = graph.const(conv.input(2))
        bias = np.zeros(out_channels) if bias is None else bias.astype(np.float64)
        conv.inputs = [
            conv.inputs[0],
            graph.add_const(conv.inputs[1] + "_bn", folded.astype(np.float32)),
            graph.add_const((conv.input(2) or conv.name + ".bias") + "_bn", ((bias - mean) * factor + beta).astype(np.float32)),
        ]
        _absorb(graph, conv, bn)
        count += 1
    return count


def fuse_silu(graph: Graph) -> int:
    """Mul(x, Sigmoid(x)), in either operand order, becomes SiLU(x)."""
    count = 0
    for mul in [n for n in graph.nodes if n.op_type == "Mul"]:
        producers = graph.producers()
        for i in (0, 1):
            sigmoid, x = producers.get(mul.inputs[i]), mul.inputs[1 - i]
            if sigmoid is not None and sigmoid.op_type == "Sigmoid" and sigmoid.inputs[0] == x:
                if _sole_reader(graph, mul.inputs[i]) is mul:
                    graph.nodes.remove(sigmoid)
                    graph.values.pop(sigmoid.outputs[0], None)
                    mul.op_type, mul.inputs, mul.attrs = "SiLU", [x], {}
                    count += 1
                    break
    return count


def _fuse_following_activation(graph: Graph, conv: Node) -> bool:
    follower = _sole_reader(graph, conv.outputs[0])
    module = None if follower is None else ops.module_for(follower.op_type)
    if module is None or not hasattr(module, "conv_activation") or len(follower.inputs) != 1:
        return False
    conv.attrs.update(activation=follower.op_type, **module.conv_activation(follower))
    _absorb(graph, conv, follower)
    return True


def fuse_conv_activations(graph: Graph) -> int:
    return sum(_fuse_following_activation(graph, conv) for conv in list(graph.nodes) if _is_plain_conv(conv))


def fuse_residual_adds(graph: Graph) -> int:
    """Add(Conv(x), R) with R of the output's shape becomes Conv(x, W, B, R);
    an activation after the Add is fused too if the Conv had none."""
    count = 0
    for add in [n for n in graph.nodes if n.op_type == "Add"]:
        out_shape = graph.shape(add.outputs[0])
        if len(add.inputs) != 2 or out_shape is None:
            continue
        producers = graph.producers()
        position = {id(n): i for i, n in enumerate(graph.nodes)}
        candidates = []
        for i in (0, 1):
            conv, residual = producers.get(add.inputs[i]), add.inputs[1 - i]
            if (
                conv is not None
                and conv.op_type == "Conv"
                and len(conv.inputs) <= 3
                and _sole_reader(graph, add.inputs[i]) is add
                and graph.shape(add.inputs[i]) == out_shape == graph.shape(residual)
            ):
                candidates.append((position[id(conv)], conv, residual))
        if not candidates:
            continue
        # The later Conv: the residual is then more likely already computed,
        # keeping the node order close to the original.
        _, conv, residual = max(candidates, key=lambda c: c[0])
        conv.inputs = conv.inputs + [""] * (3 - len(conv.inputs)) + [residual]
        after_activation = 1 if "activation" in conv.attrs else 0
        conv.attrs["residual_after_activation"] = after_activation
        _absorb(graph, conv, add)
        if not after_activation:
            _fuse_following_activation(graph, conv)
        count += 1
    return count


def _is_unit_conv(node: Node) -> bool:
    """An ungrouped 1x1 Conv with stride 1 and no padding (normalized attributes)."""
    a = node.attrs
    return (node.op_type == "Conv" and a.get("kernel_shape") == [1, 1] and a.get("strides") == [1, 1]
            and a.get("pads") == [0, 0, 0, 0] and a.get("group") == 1)


def fuse_channel_scales(graph: Graph) -> int:
    """Mul(X, S), S a computed [1 or N, C, 1, 1] per-channel scale (the end of
    squeeze-and-excitation), read only by a 1x1 Conv becomes that Conv's 5th
    input: y = conv(X · S). The runtime then scales the weights' C_in columns
    (C_out x C_in multiplies per inference) instead of X (C_in x H x W):
    fused only where C_out < H x W, so that this is less work."""
    count = 0
    for mul in [n for n in graph.nodes if n.op_type == "Mul"]:
        conv = _sole_reader(graph, mul.outputs[0])
        x_shape = graph.shape(mul.outputs[0])
        if (conv is None or not _is_unit_conv(conv) or conv.inputs[0] != mul.outputs[0] or len(conv.inputs) > 4
                or graph.is_graph_output(mul.outputs[0]) or x_shape is None or len(x_shape) != 4):
            continue
        n, c, h, w = x_shape
        for i in (0, 1):
            x, scale = mul.inputs[i], mul.inputs[1 - i]
            s_shape = graph.shape(scale)
            if (graph.shape(x) == x_shape and s_shape in ((1, c, 1, 1), (n, c, 1, 1)) and not graph.is_const(scale)
                    and graph.dtype(scale) == np.float32):
                break
        else:
            continue
        y_shape = graph.shape(conv.outputs[0])
        if y_shape is None or y_shape[1] >= h * w:
            continue
        conv.inputs = [x] + conv.inputs[1:] + [""] * (4 - len(conv.inputs)) + [scale]
        graph.nodes.remove(mul)
        graph.values.pop(mul.outputs[0], None)
        count += 1
    return count
