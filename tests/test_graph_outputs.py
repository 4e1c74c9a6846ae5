"""Graph outputs written straight into the arrays forward() returns
(graph/model.cpp, Model::outputs_in_place): an output with memory of its own
is computed in place in the caller's 64-byte aligned array; a view of another
tensor or one that a view shares, a Concat whose inputs were placed in it, a
Split part or a graph input is copied. Either way the values match onnxruntime, whichever outputs a call
asks for and in whatever order calls come; a caller's array off the 64-byte
boundary is filled by a copy instead, between calls that write in place."""

from __future__ import annotations

import numpy as np
from onnx import TensorProto, helper, numpy_helper

import edgecnn
from parity import convert_to_bytes, run_onnxruntime


def _model(nodes, inits, outputs, x_shape=(1, 8, 12, 12)):
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, list(x_shape))],
                              [helper.make_tensor_value_info(o, TensorProto.FLOAT, None) for o in outputs], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def _conv(rng, x, c_in, c_out, name, inits):
    w = (rng.standard_normal((c_out, c_in, 3, 3)) * (1 / (9 * c_in)) ** 0.5).astype(np.float32)
    inits.append(numpy_helper.from_array(w, name + "_w"))
    return helper.make_node("Conv", [x, name + "_w"], [name], pads=[1, 1, 1, 1], name=name)


def _every_kind(rng):
    """Outputs: A (a conv, also read by B's conv), B (a conv), F (a Flatten
    view of B), C (a Concat of two convs placed inside it), S0 (a Split part
    of a conv), I (an Identity view of the graph input)."""
    inits = [numpy_helper.from_array(np.array([8, 8], np.int64), "halves"),
             numpy_helper.from_array(np.array([1, -1], np.int64), "flat")]
    nodes = [_conv(rng, "X", 8, 8, "A", inits), _conv(rng, "A", 8, 8, "B", inits),
             helper.make_node("Reshape", ["B", "flat"], ["F"], name="F"),
             _conv(rng, "A", 8, 16, "C0", inits), _conv(rng, "B", 8, 16, "C1", inits),
             helper.make_node("Concat", ["C0", "C1"], ["C"], axis=1, name="C"),
             _conv(rng, "B", 8, 16, "D", inits),
             helper.make_node("Split", ["D", "halves"], ["S0", "S1"], axis=1, name="S"),
             helper.make_node("Relu", ["S1"], ["R"], name="R"),
             helper.make_node("Identity", ["X"], ["I"], name="I")]
    return _model(nodes, inits, ["A", "B", "F", "C", "S0", "R", "I"])


# B is copied too: F, a view of it, shares its memory.
IN_PLACE = {"A": True, "B": False, "F": False, "C": False, "S0": False, "R": True, "I": False}


def _check(got, ref, names, case):
    for name, g, r in zip(names, got, ref):
        assert g.shape == r.shape, f"{case} output {name}: shape {g.shape} != onnxruntime {r.shape}"
        diff = float(np.abs(g - r).max())
        assert diff <= 1e-4 * max(1.0, float(np.abs(r).max())), f"{case} output {name}: max|diff| {diff:.3g}"


def test_which_outputs_are_written_in_place(isa, rng, tmp_path):
    proto = _every_kind(rng)
    model = edgecnn.load(convert_to_bytes(proto, tmp_path), isa=isa, num_threads=2)
    names = [o.name for o in proto.graph.output]
    assert model._backend._core.outputs_in_place == [IN_PLACE[n] for n in names], f"isa={isa}"


def test_outputs_match_whatever_a_call_asks_for(isa, rng, tmp_path):
    # The steps are pointed at the caller's arrays for one call and back at
    # the arena for the next: every subset, in every order, twice over,
    # matches onnxruntime; an output read by another node (A, read by B's
    # conv) feeds it from the caller's array.
    proto = _every_kind(rng)
    model = edgecnn.load(convert_to_bytes(proto, tmp_path), isa=isa, num_threads=2)
    names = [o.name for o in proto.graph.output]
    for seed in range(3):
        x = np.random.default_rng(seed).standard_normal((1, 8, 12, 12)).astype(np.float32)
        ref = dict(zip(names, run_onnxruntime(proto, {"X": x})))
        for wanted in (["R"], ["B", "A"], names, ["C", "I"], ["A"], names[::-1], ["F", "S0", "R"]):
            got = model.forward(x, outputs=wanted)
            _check(got, [ref[n] for n in wanted], wanted, f"isa={isa} seed={seed} outputs={wanted}")


def test_returned_arrays_are_aligned_and_independent(isa, rng, tmp_path):
    # Each call returns fresh, writeable, 64-byte aligned arrays: changing
    # one result changes neither the next call's nor the model's own state.
    proto = _every_kind(rng)
    model = edgecnn.load(convert_to_bytes(proto, tmp_path), isa=isa, num_threads=1)
    x = rng.standard_normal((1, 8, 12, 12)).astype(np.float32)
    first = model.forward(x)
    kept = [a.copy() for a in first]
    for a in first:
        assert a.flags.writeable and a.flags.c_contiguous and a.ctypes.data % 64 == 0, f"isa={isa}"
        a[...] = np.nan
    second = model.forward(x)
    for i, (a, b) in enumerate(zip(kept, second)):
        assert not np.shares_memory(first[i], b), f"isa={isa} output {i}"
        assert np.array_equal(a, b), f"isa={isa} output {i}: a changed result leaked into the next call"


def test_profiled_run_writes_in_place_too(isa, rng, tmp_path):
    proto = _every_kind(rng)
    model = edgecnn.load(convert_to_bytes(proto, tmp_path), isa=isa, num_threads=2)
    x = rng.standard_normal((1, 8, 12, 12)).astype(np.float32)
    before = model.forward(x)
    model.profile(x, runs=2)
    _check(model.forward(x), before, [o.name for o in proto.graph.output], f"isa={isa} after profile")


def test_misaligned_output_arrays_are_filled_by_copy(isa, rng, tmp_path):
    # Output arrays one float past a 64-byte boundary (a test hook: forward()
    # always allocates aligned ones) cannot be written in place: the model
    # computes into its arena and copies out. Alternating with aligned calls,
    # each call's outputs match onnxruntime, and the arena steps are pointed
    # back and forth correctly (an aligned call after a misaligned one and
    # the reverse).
    proto = _every_kind(rng)
    model = edgecnn.load(convert_to_bytes(proto, tmp_path), isa=isa, num_threads=2)
    core = model._backend._core
    names = [o.name for o in proto.graph.output]
    for seed in range(2):
        x = np.random.default_rng(seed).standard_normal((1, 8, 12, 12)).astype(np.float32)
        ref = dict(zip(names, run_onnxruntime(proto, {"X": x})))
        for wanted in (names, ["R", "A"], ["A"]):
            indices = [names.index(n) for n in wanted]
            got = core.forward_misaligned([x], indices)
            for g in got:
                assert g.ctypes.data % 64 == 4, f"isa={isa}: the hook's array is not misaligned"
            _check(got, [ref[n] for n in wanted], wanted, f"isa={isa} seed={seed} misaligned outputs={wanted}")
            _check(model.forward(x, outputs=wanted), [ref[n] for n in wanted], wanted,
                   f"isa={isa} seed={seed} aligned after misaligned outputs={wanted}")
