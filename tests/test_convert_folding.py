"""Constant folding: shape arithmetic computed at conversion time."""

import numpy as np
from onnx import TensorProto, helper

from edgecnn.convert import convert
from edgecnn.ecnn_file import TensorKind, read_ecnn
from test_convert_reference import assert_same_outputs, make_model, random_input

I64 = np.int64


def converted(model, **options):
    report = convert(model, None, **options)
    return report, read_ecnn(report.data)


def test_shape_gather_unsqueeze_concat_reshape_folds_into_one_reshape():
    # x.view(x.shape[0], -1) as torch exports it, with a dynamic batch.
    nodes = [
        helper.make_node("Shape", ["x"], ["shape"]),
        helper.make_node("Gather", ["shape", "zero"], ["batch"], axis=0),
        helper.make_node("Unsqueeze", ["batch", "axes0"], ["batch1"]),
        helper.make_node("Concat", ["batch1", "minus_one"], ["target"], axis=0),
        helper.make_node("Reshape", ["x", "target"], ["y"]),
    ]
    inits = {"zero": np.array(0, I64), "axes0": np.array([0], I64), "minus_one": np.array([-1], I64)}
    model = make_model(nodes, inits, input_shape=("batch", 3, 8, 8))
    report, graph = converted(model)
    assert [n.op_type for n in graph.nodes] == ["Reshape"]
    assert graph.nodes[0].attrs == {"shape": [1, 192]}
    assert [t.name for t in graph.tensors] == ["x", "y"], "folded int64 constants must not reach the file"
    assert graph.tensors[1].shape == (1, 192)
    assert report.fused["constant-folded"] == 4
    assert_same_outputs(model, report.data, random_input((1, 3, 8, 8)), "shape subgraph")


def test_folding_reaches_a_fixpoint_through_shapes_known_only_after_folding():
    # The second Reshape's target comes from the Shape of the first one's output,
    # whose shape is known only once the first target has been folded.
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Slice", ["s", "zero1", "two"], ["nc"]),
        helper.make_node("Concat", ["nc", "minus_one"], ["t1"], axis=0),
        helper.make_node("Reshape", ["x", "t1"], ["flat"]),
        helper.make_node("Shape", ["flat"], ["s2"]),
        helper.make_node("ReduceProd", ["s2"], ["n"], keepdims=1),
        helper.make_node("Div", ["n", "three"], ["n3"]),
        helper.make_node("Concat", ["n3", "three"], ["t2"], axis=0),
        helper.make_node("Reshape", ["flat", "t2"], ["y"]),
    ]
    inits = {
        "zero1": np.array([0], I64),
        "two": np.array([2], I64),
        "minus_one": np.array([-1], I64),
        "three": np.array([3], I64),
    }
    model = make_model(nodes, inits, input_shape=(1, 3, 4, 4), opset=13)
    report, graph = converted(model)
    assert [(n.op_type, n.attrs["shape"]) for n in graph.nodes] == [("Reshape", [1, 3, 16]), ("Reshape", [16, 3])]
    assert_same_outputs(model, report.data, random_input((1, 3, 4, 4)), "two-stage shape subgraph")


def test_constant_subgraphs_of_many_ops_fold_to_one_weight():
    # An anchor-like constant built from Range/Cast/ConstantOfShape/Expand/Where/
    # Equal/Sqrt/Floor/Ceil/Neg/Pow/Tile/Transpose/Sub/Mul, then added to the input.
    nodes = [
        helper.make_node("Range", ["start", "limit", "delta"], ["r"]),  # [0..7]
        helper.make_node("Cast", ["r"], ["rf"], to=TensorProto.FLOAT),
        helper.make_node("ConstantOfShape", ["shape8"], ["twos"], value=helper.make_tensor("v", TensorProto.FLOAT, [1], [2.0])),
        helper.make_node("Pow", ["rf", "twos"], ["sq"]),
        helper.make_node("Sqrt", ["sq"], ["back"]),
        helper.make_node("Equal", ["back", "rf"], ["same"]),
        helper.make_node("Where", ["same", "rf", "twos"], ["w"]),
        helper.make_node("Floor", ["w"], ["f"]),
        helper.make_node("Ceil", ["f"], ["c"]),
        helper.make_node("Neg", ["c"], ["n"]),
        helper.make_node("Expand", ["n", "shape88"], ["grid"]),
        helper.make_node("Transpose", ["grid"], ["gt"], perm=[1, 0]),
        helper.make_node("Sub", ["gt", "grid"], ["d"]),
        helper.make_node("Unsqueeze", ["d", "axes01"], ["d4"]),
        helper.make_node("Tile", ["d4", "reps"], ["tiled"]),
        helper.make_node("Mul", ["tiled", "half"], ["anchors"]),
        helper.make_node("Add", ["x", "anchors"], ["y"]),
    ]
    inits = {
        "start": np.array(0, I64),
        "limit": np.array(8, I64),
        "delta": np.array(1, I64),
        "shape8": np.array([8], I64),
        "shape88": np.array([8, 8], I64),
        "axes01": np.array([0, 1], I64),
        "reps": np.array([1, 3, 1, 1], I64),
        "half": np.array(0.5, np.float32),
    }
    model = make_model(nodes, inits, opset=13)
    report, graph = converted(model)
    assert [n.op_type for n in graph.nodes] == ["Add"]
    constant = graph.tensors[graph.nodes[0].inputs[1]]
    assert constant.kind == TensorKind.CONSTANT and constant.shape == (1, 3, 8, 8)
    assert_same_outputs(model, report.data, random_input((1, 3, 8, 8)), "constant subgraph")


def _reshape_by(target_nodes, inits, x_shape, case, expected):
    """Reshapes x by the target the nodes compute into 't'; checks the folded attribute and numerics."""
    model = make_model(target_nodes + [helper.make_node("Reshape", ["x", "t"], ["y"])], inits, input_shape=x_shape, opset=13)
    report, graph = converted(model)
    assert [(n.op_type, n.attrs) for n in graph.nodes] == [("Reshape", {"shape": expected})], case
    assert_same_outputs(model, report.data, random_input(x_shape), case)


def test_folded_integer_division_truncates_toward_zero():
    # (-7) / 2 is -3 in ONNX (C semantics), numpy's floor division gives -4.
    nodes = [
        helper.make_node("Div", ["minus_seven", "two"], ["q"]),
        helper.make_node("Add", ["q", "eight"], ["five"]),
        helper.make_node("Concat", ["one", "three", "five"], ["t"], axis=0),
    ]
    inits = {k: np.array([v], I64) for k, v in dict(minus_seven=-7, two=2, eight=8, one=1, three=3).items()}
    _reshape_by(nodes, inits, (1, 3, 5, 1), "integer division", [1, 3, 5])


def test_folded_gather_takes_negative_indices():
    nodes = [
        helper.make_node("Shape", ["x"], ["s"]),
        helper.make_node("Gather", ["s", "first_last"], ["ends"], axis=0),
        helper.make_node("Concat", ["ends", "minus_one"], ["t"], axis=0),
    ]
    inits = {"first_last": np.array([0, -1], I64), "minus_one": np.array([-1], I64)}
    _reshape_by(nodes, inits, (1, 3, 2, 5), "gather", [1, 5, 6])


def test_folded_shape_honours_start_and_end():
    nodes = [helper.make_node("Shape", ["x"], ["t"], start=-3, end=10)]
    model_opset = 15  # Shape's start/end attributes
    model = make_model(nodes + [helper.make_node("Reshape", ["x", "t"], ["y"])], {}, input_shape=(1, 3, 2, 5), opset=model_opset)
    report, graph = converted(model)
    assert [(n.op_type, n.attrs) for n in graph.nodes] == [("Reshape", {"shape": [3, 2, 5]})]
    assert_same_outputs(model, report.data, random_input((1, 3, 2, 5)), "shape start/end")


def test_ceil_mode_pool_shapes_follow_the_runtime_rule_through_folding():
    # With ceil_mode the last window would start in the end padding (W = 18,
    # stride 3): onnx's shape inference keeps it (7 columns), runtimes drop it
    # (6). The Reshape target computed from the pooled shape must use 6.
    nodes = [
        helper.make_node("MaxPool", ["x"], ["p"], kernel_shape=[1, 1], strides=[1, 3], ceil_mode=1),
        helper.make_node("Shape", ["p"], ["s"]),
        helper.make_node("Gather", ["s", "last"], ["w"], axis=0),
        helper.make_node("Concat", ["minus_one", "w"], ["t"], axis=0),
        helper.make_node("Reshape", ["p", "t"], ["y"]),
    ]
    inits = {"last": np.array([3], I64), "minus_one": np.array([-1], I64)}
    model = make_model(nodes, inits, input_shape=(1, 2, 5, 18), opset=13)
    report, graph = converted(model)
    assert [(n.op_type, n.attrs.get("shape")) for n in graph.nodes] == [("MaxPool", None), ("Reshape", [10, 6])]
    assert graph.tensors[graph.nodes[0].outputs[0]].shape == (1, 2, 5, 6)
    assert_same_outputs(model, report.data, random_input((1, 2, 5, 18)), "ceil_mode pool")
