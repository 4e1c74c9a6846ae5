"""Writes the seed corpus of the loader fuzzer (fuzz/corpus/) and its dictionary
(fuzz/ecnn.dict): valid .ecnn files, small enough that one load and forward pass
takes milliseconds: one file per operator (and per main variant), written with
edgecnn.ecnn_file, a few small multi-node networks converted from ONNX with
edgecnn.convert, and one fixture network converted at a tiny input size.

    PYTHONPATH=python .venv/bin/python fuzz/make_corpus.py

Deterministic: rerunning rewrites the same bytes. Needs `onnx` (the test extras).
"""

from __future__ import annotations

import hashlib
import os
import struct
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "python"))

from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, encode_ecnn  # noqa: E402

RNG = np.random.default_rng(20240601)
# The fixture converted into the corpus (one that converts at a smaller input: hard
# activations, squeeze-excite blocks, depthwise convolutions, a Gemm head).
FIXTURE = "mobilenet_v3_large.onnx"
FIXTURE_INPUT = (1, 3, 64, 64)


def const(shape) -> np.ndarray:
    return RNG.standard_normal(shape).astype(np.float32)


def single(op: str, x_shape, attrs=None, constants=(), outputs: int = 1, extra_inputs=(), meta=None) -> bytes:
    """X (input) and constants -> op -> outputs, shapes left to inference."""
    tensors = [Tensor("X", TensorKind.INPUT, tuple(x_shape))]
    inputs = [0]
    for i, c in enumerate(constants):
        if c is None:
            inputs.append(-1)
            continue
        inputs.append(len(tensors))
        tensors.append(Tensor(f"C{i}", TensorKind.CONSTANT, c.shape, np.ascontiguousarray(c, np.float32)))
    inputs += list(extra_inputs)
    out = list(range(len(tensors), len(tensors) + outputs))
    tensors += [Tensor(f"Y{i}", TensorKind.ACTIVATION, None) for i in range(outputs)]
    graph = EcnnGraph(tensors, [Node(op, "n0", inputs, out, dict(attrs or {}))], [0], out)
    return encode_ecnn(graph, meta or {"format": "ecnn"})


def chain(x_shape, ops, meta=None) -> bytes:
    """A chain X -> op0 -> op1 -> ...; each op is (type, attrs, constants)."""
    tensors = [Tensor("X", TensorKind.INPUT, tuple(x_shape))]
    nodes = []
    prev = 0
    for i, (op, attrs, constants) in enumerate(ops):
        inputs = [prev]
        for j, c in enumerate(constants):
            inputs.append(len(tensors))
            tensors.append(Tensor(f"c{i}_{j}", TensorKind.CONSTANT, c.shape, c))
        tensors.append(Tensor(f"t{i}", TensorKind.ACTIVATION, None))
        prev = len(tensors) - 1
        nodes.append(Node(op, f"n{i}", inputs, [prev], dict(attrs)))
    return encode_ecnn(EcnnGraph(tensors, nodes, [0], [prev]), meta or {"format": "ecnn"})


def two_input(op: str, a_shape, b_shape, attrs=None) -> bytes:
    """Two graph inputs into one node (broadcasting, MatMul of activations, Concat)."""
    tensors = [Tensor("A", TensorKind.INPUT, tuple(a_shape)), Tensor("B", TensorKind.INPUT, tuple(b_shape)),
               Tensor("Y", TensorKind.ACTIVATION, None)]
    return encode_ecnn(EcnnGraph(tensors, [Node(op, "n0", [0, 1], [2], dict(attrs or {}))], [0, 1], [2]), {})


def single_op_seeds() -> dict:
    x = (1, 3, 8, 8)
    s = {}
    s["conv"] = single("Conv", x, {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "strides": [1, 1]},
                       [const((4, 3, 3, 3)), const((4,))])
    s["conv_stride_dil"] = single("Conv", x, {"kernel_shape": [3, 3], "pads": [2, 2, 2, 2], "strides": [2, 2],
                                              "dilations": [2, 2]}, [const((4, 3, 3, 3)), None])
    s["conv_depthwise"] = single("Conv", (1, 4, 8, 8), {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "group": 4,
                                                        "activation": "SiLU"}, [const((4, 1, 3, 3)), const((4,))])
    s["conv_groups_clip"] = single("Conv", (1, 4, 6, 6), {"kernel_shape": [1, 1], "group": 2, "activation": "Clip",
                                                          "activation_alpha": 0.0, "activation_beta": 6.0},
                                   [const((6, 2, 1, 1)), const((6,))])
    s["conv_residual"] = single("Conv", x, {"kernel_shape": [1, 1], "activation": "Relu",
                                            "residual_after_activation": 1},
                                [const((3, 3, 1, 1)), const((3,))], extra_inputs=[0])
    for act, extra in (("HardSigmoid", {"activation_alpha": 0.2, "activation_beta": 0.5}),
                       ("LeakyRelu", {"activation_alpha": 0.1}), ("HardSwish", {}), ("Tanh", {}), ("Sigmoid", {})):
        s[f"conv_{act.lower()}"] = single("Conv", (1, 2, 5, 5), {"kernel_shape": [3, 3], "activation": act, **extra},
                                          [const((3, 2, 3, 3)), None])
    s["conv_transpose"] = single("ConvTranspose", (1, 3, 4, 4), {"kernel_shape": [3, 3], "strides": [2, 2],
                                                                 "pads": [1, 1, 1, 1], "output_padding": [1, 1]},
                                 [const((3, 2, 3, 3)), const((2,))])
    s["conv_transpose_group"] = single("ConvTranspose", (1, 4, 3, 3), {"kernel_shape": [2, 2], "strides": [2, 2],
                                                                       "group": 2}, [const((4, 1, 2, 2))])
    s["gemm"] = single("Gemm", (2, 5), {"transB": 1, "alpha": 1.0, "beta": 1.0}, [const((3, 5)), const((3,))])
    s["gemm_transa"] = single("Gemm", (5, 2), {"transA": 1}, [const((5, 3))])
    s["matmul_const"] = single("MatMul", (1, 2, 4, 5), {}, [const((5, 3))])
    s["matmul_batched"] = single("MatMul", (2, 3, 4), {}, [const((2, 4, 5))])
    s["matmul_act"] = two_input("MatMul", (1, 2, 3, 4), (1, 2, 4, 3))
    s["matmul_vector"] = two_input("MatMul", (4,), (2, 4, 3))
    s["batchnorm"] = single("BatchNormalization", x, {"epsilon": 1e-5},
                            [const((3,)), const((3,)), const((3,)), np.abs(const((3,))) + 0.5])
    for op in ("Relu", "Sigmoid", "Tanh", "HardSwish", "SiLU", "Identity"):
        s[op.lower()] = single(op, (1, 2, 3, 5))
    s["clip"] = single("Clip", (1, 2, 3, 5), {"min": -0.5, "max": 0.5})
    s["hardsigmoid"] = single("HardSigmoid", (1, 2, 3, 5), {"alpha": 0.3, "beta": 0.4})
    s["leakyrelu"] = single("LeakyRelu", (1, 2, 3, 5), {"alpha": 0.2})
    s["prelu"] = single("PRelu", (1, 3, 2, 2), {}, [const((3, 1, 1))])
    for op in ("Add", "Sub", "Mul", "Div"):
        s[op.lower()] = single(op, (1, 3, 4, 4), {}, [const((3, 1, 4))])
    s["add_broadcast_inputs"] = two_input("Add", (2, 1, 4), (3, 1))
    s["maxpool"] = single("MaxPool", x, {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]})
    s["maxpool_ceil_dil"] = single("MaxPool", x, {"kernel_shape": [2, 2], "strides": [2, 2], "ceil_mode": 1,
                                                  "dilations": [2, 2]})
    s["avgpool"] = single("AveragePool", x, {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1],
                                             "count_include_pad": 1, "ceil_mode": 1})
    s["gap"] = single("GlobalAveragePool", x)
    s["concat"] = two_input("Concat", (1, 2, 3, 3), (1, 4, 3, 3), {"axis": 1})
    s["split"] = single("Split", (1, 6, 2, 2), {"axis": 1, "split": [1, 2, 3]}, outputs=3)
    s["split_even"] = single("Split", (1, 4, 2, 2), {"axis": -1}, outputs=2)
    s["slice"] = single("Slice", x, {"starts": [1, 0], "ends": [3, 8], "axes": [1, 3], "steps": [1, 2]})
    s["slice_negative"] = single("Slice", x, {"starts": [-1], "ends": [-9], "axes": [2], "steps": [-2]})
    s["reshape"] = single("Reshape", x, {"shape": [1, 3, 64]})
    s["flatten"] = single("Flatten", x, {"axis": 2})
    s["transpose"] = single("Transpose", x, {"perm": [0, 2, 3, 1]})
    s["squeeze"] = single("Squeeze", (1, 3, 1, 4), {"axes": [2]})
    s["unsqueeze"] = single("Unsqueeze", (3, 4), {"axes": [0, 3]})
    s["resize_nearest"] = single("Resize", (1, 2, 3, 4), {"mode": "nearest", "scales": [1.0, 1.0, 2.0, 2.0],
                                                          "coordinate_transformation_mode": "asymmetric",
                                                          "nearest_mode": "floor"})
    s["resize_linear"] = single("Resize", (1, 2, 4, 4), {"mode": "linear", "sizes": [1, 2, 7, 3],
                                                         "coordinate_transformation_mode": "align_corners"})
    s["resize_half_pixel"] = single("Resize", (1, 1, 3, 3), {"mode": "linear", "scales": [1.0, 1.0, 1.5, 0.5],
                                                             "coordinate_transformation_mode": "pytorch_half_pixel"})
    s["softmax"] = single("Softmax", (2, 3, 5), {"axis": 1})
    s["softmax_last"] = single("Softmax", (4, 7), {"axis": -1})
    s["pad_constant"] = single("Pad", (1, 2, 3, 3), {"mode": "constant", "pads": [0, 0, 1, 2, 0, 0, 2, -1],
                                                     "value": 0.5})
    s["pad_reflect"] = single("Pad", (1, 2, 4, 4), {"mode": "reflect", "pads": [0, 0, 2, 1, 0, 0, 1, 3]})
    s["pad_edge"] = single("Pad", (2, 5), {"mode": "edge", "pads": [1, 2, 0, 4]})
    return s


def network_seeds() -> dict:
    """Small multi-node networks: a classifier and a detector-like head."""
    s = {}
    s["net_classifier"] = chain((1, 3, 16, 16), [
        ("Conv", {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1], "activation": "Relu"},
         [const((8, 3, 3, 3)), const((8,))]),
        ("MaxPool", {"kernel_shape": [2, 2], "strides": [2, 2]}, []),
        ("Conv", {"kernel_shape": [1, 1], "activation": "HardSwish"}, [const((16, 8, 1, 1)), const((16,))]),
        ("GlobalAveragePool", {}, []),
        ("Flatten", {"axis": 1}, []),
        ("Gemm", {"transB": 1}, [const((10, 16)), const((10,))]),
        ("Softmax", {"axis": 1}, []),
    ], {"format": "ecnn", "task": "classify", "input_shape": [1, 3, 16, 16], "labels": [str(i) for i in range(10)]})
    s["net_upsample"] = chain((1, 4, 8, 8), [
        ("Conv", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "activation": "SiLU"}, [const((4, 4, 3, 3))]),
        ("Resize", {"mode": "nearest", "scales": [1.0, 1.0, 2.0, 2.0]}, []),
        ("Pad", {"pads": [0, 0, 1, 1, 0, 0, 1, 1], "mode": "edge"}, []),
        ("AveragePool", {"kernel_shape": [3, 3]}, []),
        ("Reshape", {"shape": [1, 4, 256]}, []),
        ("Transpose", {"perm": [0, 2, 1]}, []),
        ("Softmax", {"axis": -1}, []),
    ])
    return s


def converted_seeds() -> dict:
    """ONNX graphs through the converter (fusions write the fused Conv attributes)."""
    try:
        import onnx  # noqa: F401
        from onnx import TensorProto, helper, numpy_helper
    except ImportError:
        print("onnx is missing: skipping the converted seeds", file=sys.stderr)
        return {}
    import edgecnn

    s = {}
    w1, b1 = const((8, 3, 3, 3)), const((8,))
    w2 = const((8, 8, 1, 1))
    nodes = [
        helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1], strides=[2, 2]),
        helper.make_node("Sigmoid", ["c1"], ["s1"]),
        helper.make_node("Mul", ["c1", "s1"], ["a1"]),
        helper.make_node("Conv", ["a1", "w2"], ["c2"]),
        helper.make_node("Add", ["c2", "a1"], ["r"]),
        helper.make_node("Split", ["r", "split"], ["p", "q"], axis=1),
        helper.make_node("Resize", ["q", "", "scales"], ["u"], mode="nearest"),
        helper.make_node("MaxPool", ["u"], ["m"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("Concat", ["p", "m"], ["y"], axis=1),
    ]
    inits = [numpy_helper.from_array(w1, "w1"), numpy_helper.from_array(b1, "b1"),
             numpy_helper.from_array(w2, "w2"), numpy_helper.from_array(np.array([4, 4], np.int64), "split"),
             numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales")]
    graph = helper.make_graph(nodes, "seed", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 12, 12])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)], inits)
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    s["converted_silu_residual"] = edgecnn.convert(proto).data
    fixture = os.path.join(ROOT, "tests", "fixtures", "models", FIXTURE)
    if os.path.exists(fixture):
        # At a smaller input than the fixture's own: its input dims are static,
        # so they are rewritten (and the stale shape annotations dropped) first.
        proto = onnx.load(fixture)
        for d, v in zip(proto.graph.input[0].type.tensor_type.shape.dim, FIXTURE_INPUT):
            d.dim_value = v
        del proto.graph.value_info[:]
        for o in proto.graph.output:
            o.type.tensor_type.ClearField("shape")
        s["converted_" + FIXTURE.split(".")[0]] = edgecnn.convert(proto, input_shape=FIXTURE_INPUT).data
    # A channel scale S (5th input, here a constant) on a 1x1 Conv; after the
    # fixture so that the seeds above keep their random weights.
    s["conv_channel_scale"] = single("Conv", (2, 3, 6, 6), {"kernel_shape": [1, 1]},
                                     [const((4, 3, 1, 1)), const((4,)), None, const((2, 3, 1, 1))])
    return s


def dictionary(seeds: dict) -> str:
    """libFuzzer dictionary: magic, tags, op and attribute names as length-prefixed
    strings, string attribute values, interesting integers."""

    def esc(b: bytes) -> str:
        return "".join(chr(c) if 32 <= c < 127 and chr(c) not in '"\\' else f"\\x{c:02x}" for c in b)

    tokens = [b"ECNN\r\n\x1a\n", b"META\0\0\0\0", b"GRAPH\0\0\0", b"WEIGHTS\0"]
    import edgecnn

    words = set(edgecnn._core.supported_ops())
    words |= {"activation", "activation_alpha", "activation_beta", "alpha", "antialias", "auto_pad", "axes", "axis",
              "beta", "ceil_mode", "coordinate_transformation_mode", "count_include_pad", "dilations", "ends",
              "epsilon", "group", "keep_aspect_ratio_policy", "kernel_shape", "mode", "nearest_mode",
              "output_padding", "output_shape", "pads", "perm", "residual_after_activation", "scales", "shape",
              "sizes", "split", "starts", "steps", "strides", "training_mode", "transA", "transB", "value", "min",
              "max", "align_corners", "asymmetric", "ceil", "constant", "cubic", "edge", "floor", "half_pixel",
              "linear", "nearest", "pytorch_half_pixel", "reflect", "round_prefer_ceil", "round_prefer_floor",
              "tf_half_pixel_for_nearest", "NOTSET", "stretch"}
    for w in sorted(words):
        tokens.append(struct.pack("<I", len(w)) + w.encode())
    for v in (0, 1, 2, 3, 4, 64, 255, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF):
        tokens.append(struct.pack("<I", v))
    for v in (-1, 1 << 31, 1 << 32, (1 << 63) - 1, -(1 << 63)):
        tokens.append(struct.pack("<q", v))
    for f in (0.0, -0.0, 1.0, 0.5, 2.0, 1e30, float("inf"), float("-inf"), float("nan")):
        tokens.append(struct.pack("<f", f))
    lines = ["# libFuzzer dictionary of the .ecnn format (written by fuzz/make_corpus.py)"]
    lines += [f'"{esc(t)}"' for t in tokens]
    return "\n".join(lines) + "\n"


def main() -> None:
    seeds = {**single_op_seeds(), **network_seeds(), **converted_seeds()}
    import edgecnn

    out_dir = os.path.join(HERE, "corpus")
    os.makedirs(out_dir, exist_ok=True)
    for f in os.listdir(out_dir):
        if f.endswith(".ecnn"):
            os.remove(os.path.join(out_dir, f))
    total = 0
    for name, data in sorted(seeds.items()):
        edgecnn.load(data, num_threads=1)  # every seed must load
        with open(os.path.join(out_dir, f"{name}.ecnn"), "wb") as f:
            f.write(data)
        total += len(data)
    with open(os.path.join(HERE, "ecnn.dict"), "w") as f:
        f.write(dictionary(seeds))
    digest = hashlib.sha256(b"".join(seeds[k] for k in sorted(seeds))).hexdigest()[:12]
    print(f"{len(seeds)} seeds, {total} bytes, sha256 {digest}")


if __name__ == "__main__":
    main()
