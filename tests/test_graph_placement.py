"""Placement of Split outputs and Concat inputs inside the whole's memory
(graph/model.cpp): where it applies, the Split and Concat steps do no work
(their profile time is exactly 0) and the results match onnxruntime; where it
does not (a graph input, a repeated input, parts out of order, batch 2, an
inner axis, unaligned parts, a part whose memory would overlap another's),
the copy runs and the results match too."""

from __future__ import annotations

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import edgecnn
from parity import assert_parity, convert_to_bytes


class Graph:
    """A small ONNX graph builder: 3x3 convolutions with ReLU, Split, Concat."""

    def __init__(self, rng, x_shape):
        self.rng, self.x_shape = rng, list(x_shape)
        self.nodes, self.inits, self.outputs = [], [], []

    def conv(self, x, c_in, c_out, name):
        w = (self.rng.standard_normal((c_out, c_in, 3, 3)) * (1 / (9 * c_in)) ** 0.5).astype(np.float32)
        self.inits.append(numpy_helper.from_array(w, name + "_w"))
        self.nodes.append(helper.make_node("Conv", [x, name + "_w"], [name + "_c"], pads=[1, 1, 1, 1], name=name))
        self.nodes.append(helper.make_node("Relu", [name + "_c"], [name], name=name + "_relu"))
        return name

    def split(self, x, sizes, name, axis=1):
        self.inits.append(numpy_helper.from_array(np.array(sizes, np.int64), name + "_sizes"))
        outs = [f"{name}_{i}" for i in range(len(sizes))]
        self.nodes.append(helper.make_node("Split", [x, name + "_sizes"], outs, axis=axis, name=name))
        return outs

    def concat(self, xs, name, axis=1):
        self.nodes.append(helper.make_node("Concat", xs, [name], axis=axis, name=name))
        return name

    def output(self, name):
        self.outputs.append(name)

    def model(self):
        graph = helper.make_graph(self.nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, self.x_shape)],
                                  [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in self.outputs],
                                  self.inits)
        return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def step_seconds(model_proto, tmp_path, isa):
    """{node name: profiled seconds} of one run; skipped steps report exactly 0."""
    model = edgecnn.load(convert_to_bytes(model_proto, tmp_path), isa=isa, num_threads=2)
    return {name: seconds for name, _, _, seconds in model.profile(runs=1).rows}


def check(model_proto, x, isa, tmp_path, placed, copied, case):
    assert_parity(model_proto, x, isa, tmp_path, case=case)
    seconds = step_seconds(model_proto, tmp_path, isa)
    for name in placed:
        assert seconds[name] == 0.0, f"{case} isa={isa}: {name} ran ({seconds[name]:.2e} s), expected it placed"
    for name in copied:
        assert seconds[name] > 0.0, f"{case} isa={isa}: {name} was skipped, expected a copy"


def c2f(rng, x_shape, order=(0, 1, 2, 3), sizes=(16, 16)):
    """YOLO's C2f: conv, split in two, two convs on the second half, concat of all four."""
    c = x_shape[1]
    g = Graph(rng, x_shape)
    a = g.conv("X", c, sum(sizes), "cv1")
    y = g.split(a, list(sizes), "split")
    m0 = g.conv(y[1], sizes[1], sizes[1], "m0")
    m1 = g.conv(m0, sizes[1], sizes[1], "m1")
    parts = [y[0], y[1], m0, m1]
    cat = g.concat([parts[i] for i in order], "cat")
    g.output(g.conv(cat, sum(sizes) + 2 * sizes[1], 8, "cv2"))
    return g


def test_c2f_split_and_concat_are_placed(isa, rng, tmp_path):
    x = rng.standard_normal((1, 8, 12, 20)).astype(np.float32)
    check(c2f(rng, x.shape).model(), x, isa, tmp_path, placed=["split", "cat"], copied=[], case="C2f")


def test_parts_out_of_order_are_copied(isa, rng, tmp_path):
    # The split's halves in swapped order: one memory cannot hold both orders.
    x = rng.standard_normal((1, 8, 12, 20)).astype(np.float32)
    check(c2f(rng, x.shape, order=(1, 0, 2, 3)).model(), x, isa, tmp_path, placed=["split"], copied=["cat"],
          case="swapped halves")


def test_split_halves_apart_are_copied(isa, rng, tmp_path):
    # The halves with another part between them: their memory is one piece.
    x = rng.standard_normal((1, 8, 12, 20)).astype(np.float32)
    check(c2f(rng, x.shape, order=(0, 2, 1, 3)).model(), x, isa, tmp_path, placed=["split"], copied=["cat"],
          case="halves apart")


def test_batch_two_is_copied(isa, rng, tmp_path):
    # With a batch of 2 a part is two runs of the whole, not one.
    x = rng.standard_normal((2, 8, 12, 20)).astype(np.float32)
    check(c2f(rng, x.shape).model(), x, isa, tmp_path, placed=[], copied=["split", "cat"], case="batch 2")


def test_unaligned_parts_are_copied(isa, rng, tmp_path):
    # 3x5 maps: a 1-channel part is 15 floats, so the later parts would start
    # off a 64-byte boundary.
    x = rng.standard_normal((1, 8, 3, 5)).astype(np.float32)
    check(c2f(rng, x.shape, sizes=(1, 3)).model(), x, isa, tmp_path, placed=[], copied=["split", "cat"],
          case="unaligned")


def test_graph_input_and_repeated_input_are_copied(isa, rng, tmp_path):
    x = rng.standard_normal((1, 16, 8, 8)).astype(np.float32)
    g = Graph(rng, x.shape)
    a = g.conv("X", 16, 16, "a")
    g.output(g.conv(g.concat(["X", a], "with_input"), 32, 8, "o1"))
    g.output(g.conv(g.concat([a, a], "twice"), 32, 8, "o2"))
    check(g.model(), x, isa, tmp_path, placed=[], copied=["with_input", "twice"], case="input / repeated")


def test_inner_axis_is_copied(isa, rng, tmp_path):
    x = rng.standard_normal((1, 16, 8, 16)).astype(np.float32)
    g = Graph(rng, x.shape)
    a, b = g.conv("X", 16, 16, "a"), g.conv("X", 16, 16, "b")
    g.output(g.conv(g.concat([a, b], "rows", axis=2), 16, 8, "o"))
    check(g.model(), x, isa, tmp_path, placed=[], copied=["rows"], case="axis 2")


def test_nested_concats_and_parts_read_later(isa, rng, tmp_path):
    # An inner concat placed inside an outer one; a part that later convs
    # still read, and that is a graph output itself.
    x = rng.standard_normal((1, 16, 8, 8)).astype(np.float32)
    g = Graph(rng, x.shape)
    a, b, c = (g.conv("X", 16, 16, n) for n in ("a", "b", "c"))
    inner = g.concat([a, b], "inner")
    outer = g.concat([inner, c], "outer")
    g.output(g.conv(outer, 48, 8, "o1"))
    g.output(g.conv(a, 16, 8, "after"))  # reads a part after both concats
    g.output(c)
    check(g.model(), x, isa, tmp_path, placed=["inner", "outer"], copied=[], case="nested")


def test_split_part_left_out_of_the_concat(isa, rng, tmp_path):
    # Three parts, two concatenated with a third tensor in between: the split's
    # memory would cover that tensor's place, so the concat copies.
    x = rng.standard_normal((1, 16, 8, 8)).astype(np.float32)
    g = Graph(rng, x.shape)
    y = g.split(g.conv("X", 16, 48, "a"), [16, 16, 16], "split3")
    other = g.conv("X", 16, 16, "other")
    g.output(g.conv(g.concat([y[0], y[1], other], "cat"), 48, 8, "o1"))
    g.output(g.conv(y[2], 16, 8, "o2"))
    check(g.model(), x, isa, tmp_path, placed=["split3"], copied=["cat"], case="split part left out")
