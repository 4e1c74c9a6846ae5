"""BatchNormalization (inference) against onnxruntime on inputs of rank 2 to 5,
channel counts at SIMD boundaries, and tensors large enough to run in parallel."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import edgecnn
from parity import assert_parity
from single_node import single_node_ecnn

CHANNELS = [1, 3, 15, 16, 17, 33]


def bn_model(x_shape, params, epsilon):
    names = ["scale", "B", "mean", "var"]
    inits = [numpy_helper.from_array(p, n) for p, n in zip(params, names)]
    node = helper.make_node("BatchNormalization", ["X"] + names, ["Y"], name="bn", epsilon=epsilon)
    graph = helper.make_graph([node], "bn", [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def random_params(rng, c):
    return [rng.standard_normal(c).astype(np.float32),
            rng.standard_normal(c).astype(np.float32),
            rng.standard_normal(c).astype(np.float32),
            rng.uniform(0.05, 3.0, c).astype(np.float32)]


@pytest.mark.parametrize("rank", [2, 3, 4, 5])
def test_ranks_and_channels(isa, rng, tmp_path, rank):
    for c in CHANNELS:
        x_shape = (int(rng.integers(1, 4)), c) + tuple(int(v) for v in rng.choice([1, 3, 5, 8, 9], size=rank - 2))
        epsilon = float(rng.choice([1e-5, 1e-3, 0.1]))
        x = (rng.standard_normal(x_shape) * 2 + 0.5).astype(np.float32)
        assert_parity(bn_model(x_shape, random_params(rng, c), epsilon), x, isa, tmp_path,
                      case=f"x={x_shape} eps={epsilon}")


def test_large_parallel(isa, rng, tmp_path):
    x_shape = (1, 24, 67, 71)
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(bn_model(x_shape, random_params(rng, 24), 1e-5), x, isa, tmp_path, case="large")


def test_parameter_shape_mismatch_is_rejected():
    params = [np.ones(4, np.float32)] * 3 + [np.ones(3, np.float32)]
    data = single_node_ecnn("BatchNormalization", (1, 4, 5, 5), {"epsilon": 1e-5}, params)
    with pytest.raises(edgecnn.ModelFormatError, match="var must have shape"):
        edgecnn.load(data)


def test_rank_1_is_rejected():
    data = single_node_ecnn("BatchNormalization", (4,), {}, [np.ones(4, np.float32)] * 4)
    with pytest.raises(edgecnn.ModelFormatError, match="rank >= 2"):
        edgecnn.load(data)


def test_training_mode_is_unsupported():
    data = single_node_ecnn("BatchNormalization", (1, 4, 2, 2), {"training_mode": 1}, [np.ones(4, np.float32)] * 4)
    with pytest.raises(edgecnn.UnsupportedOpError, match="training_mode"):
        edgecnn.load(data)
