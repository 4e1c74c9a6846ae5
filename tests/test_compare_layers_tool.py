"""The per-layer comparison tool (edgecnn/compare_layers.py): how the peers'
node names map back to the ONNX node of edgecnn's profile row, on a made-up
graph, and end to end on a two-convolution model against both peers."""

import numpy as np

from edgecnn import compare_layers as cl

# conv_a -> Clip (bounds from Constant nodes) -> conv_b -> SiLU (Sigmoid, Mul)
# -> Add with conv_a's clipped output (a residual) -> GlobalAveragePool.
NODES = [
    ("conv_a", "Conv", ["x", "w_a"], ["a"]),
    ("lo", "Constant", [], ["lo_v"]),
    ("hi", "Constant", [], ["hi_v"]),
    ("clip_a", "Clip", ["a", "lo_v", "hi_v"], ["a_clipped"]),
    ("conv_b", "Conv", ["a_clipped", "w_b"], ["b"]),
    ("sig_b", "Sigmoid", ["b"], ["b_sig"]),
    ("mul_b", "Mul", ["b", "b_sig"], ["b_silu"]),
    ("add", "Add", ["a_clipped", "b_silu"], ["sum"]),
    ("pool", "GlobalAveragePool", ["sum"], ["y"]),
]


def test_fused_elementwise_nodes_anchor_at_their_convolution():
    index = cl.GraphIndex(NODES)
    assert index.anchor["clip_a"] == "conv_a"  # not the later Constant nodes
    assert index.anchor["sig_b"] == "conv_b"
    assert index.anchor["mul_b"] == "conv_b"
    assert index.anchor["add"] == "conv_b"  # the residual joins the latest producer
    assert index.anchor["pool"] == "pool"


def test_peer_names_resolve_to_anchors():
    index = cl.GraphIndex(NODES)
    assert index.resolve("a_clipped_nchwc_kernel_time") == "conv_a"  # onnxruntime NCHWc, by output tensor
    assert index.resolve("conv_b/WithoutBiases") == "conv_b"  # OpenVINO
    assert index.resolve("mul_b_kernel_time") == "conv_b"
    assert index.resolve("x_abcd_acdb_conv_a") is None


def test_charge_is_per_run_and_keeps_unknown_nodes_apart():
    index = cl.GraphIndex(NODES)
    events = [("conv_a/WithoutBiases", "Convolution", 0.004), ("clip_a", "Clip", 0.002),
              ("x_abcd_acdb_conv_a", "Reorder", 0.001), ("mystery", "Subgraph", 0.003)]
    times = cl.charge(index, events, runs=2)
    assert times == {"conv_a": 3.0, cl.REORDERS: 0.5, "(Subgraph)": 1.5}


def test_a_fused_convolutions_peer_times_move_to_its_consumer():
    # conv_a feeds conv_b through clip_a (fused into conv_a); edgecnn runs
    # conv_a inside conv_b (0 on its own row).
    index = cl.GraphIndex(NODES)
    assert index.consumer_anchor("conv_a") == "conv_b"
    assert index.consumer_anchor("conv_b") == "pool"
    rows = [{"node": "conv_a", "op": "Conv", "shape": [1, 8, 4, 4], "edgecnn": 0.0, "onnxruntime": 2.0,
             "openvino": 0.5},
            {"node": "conv_b", "op": "Conv", "shape": [1, 8, 4, 4], "edgecnn": 1.5, "onnxruntime": 1.0},
            {"node": "pool", "op": "GlobalAveragePool", "shape": [1, 8, 1, 1], "edgecnn": 0.0, "onnxruntime": 0.1}]
    merged = cl.merge_fused(rows, index, ["onnxruntime", "openvino"])
    assert merged[0] == {"node": "conv_a", "op": "Conv (fused)", "shape": [1, 8, 4, 4], "edgecnn": 0.0,
                         "onnxruntime": 0.0, "openvino": 0.0}
    assert merged[1]["onnxruntime"] == 3.0 and merged[1]["openvino"] == 0.5
    assert merged[2]["onnxruntime"] == 0.1 and merged[2]["op"] == "GlobalAveragePool"  # not a convolution


def test_markdown_rows_totals_and_top():
    rows = [{"node": "conv_a", "op": "Conv", "shape": [1, 8, 4, 4], "edgecnn": 1.0, "onnxruntime": 2.0,
             "openvino": 0.5},
            {"node": "conv_b", "op": "Conv", "shape": [1, 8, 4, 4], "edgecnn": 1.0, "onnxruntime": 1.0,
             "openvino": 1.25},
            {"node": "pool", "op": "GlobalAveragePool", "shape": [1, 8, 1, 1], "edgecnn": 0.5}]
    engines = ["onnxruntime", "openvino"]
    text = cl.markdown(rows, {"onnxruntime": 0.0, "openvino": 0.25}, engines)
    assert "| conv_a | Conv | 1x8x4x4 | 1.000 | 2.000 | 0.500 | 2.00 |" in text
    assert "| pool | GlobalAveragePool | 1x8x1x1 | 0.500 |  |  |  |" in text
    assert "| total | | | 2.500 | 3.000 | 2.000 | |" in text
    top = cl.markdown(rows, {}, engines, top=1).splitlines()
    assert top[2].startswith("| conv_a |") and not any(line.startswith("| conv_b |") for line in top)


def test_compare_on_a_small_model_gets_every_engines_times(tmp_path):
    # End to end on a two-convolution model (the peers are test
    # dependencies): both edgecnn rows exist, the fused Relu has no row of
    # its own, and every engine's time lands on both convolution rows.
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(3)
    inits = [numpy_helper.from_array(rng.standard_normal((16, 8, 3, 3)).astype(np.float32), "w1"),
             numpy_helper.from_array(rng.standard_normal((8, 16, 1, 1)).astype(np.float32), "w2")]
    nodes = [helper.make_node("Conv", ["x", "w1"], ["a"], name="conv1", pads=[1, 1, 1, 1]),
             helper.make_node("Relu", ["a"], ["b"], name="relu1"),
             helper.make_node("Conv", ["b", "w2"], ["y"], name="conv2")]
    graph = helper.make_graph(nodes, "g", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 8, 20, 20])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8, 20, 20])], inits)
    path = str(tmp_path / "two_convs.onnx")
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)]), path)
    engines = ["onnxruntime", "openvino"]
    rows, unclaimed = cl.compare(path, [1, 8, 20, 20], threads=1, runs=2, engines=engines)
    by_node = {r["node"]: r for r in rows}
    assert set(by_node) == {"conv1", "conv2"}, rows
    for node in ("conv1", "conv2"):
        for engine in ["edgecnn"] + engines:
            assert by_node[node][engine] > 0, (node, engine, by_node[node])
    assert set(unclaimed) == set(engines)
