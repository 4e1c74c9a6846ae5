"""GlobalAveragePool against onnxruntime: channel counts, tiny and large planes,
rank 3 and 4; and what the loader rejects."""

import numpy as np
import pytest

import edgecnn
from parity import assert_parity
from single_node import CHANNELS, onnx_node_model, single_node_ecnn


@pytest.mark.parametrize("channels", CHANNELS)
def test_channels_and_sizes(isa, rng, tmp_path, channels):
    for h, w in [(1, 1), (1, 7), (3, 5), (7, 7), (13, 17), (int(rng.integers(1, 40)), int(rng.integers(1, 40)))]:
        x_shape = (int(rng.integers(1, 3)), channels, h, w)
        x = rng.standard_normal(x_shape).astype(np.float32) + 3.0
        assert_parity(onnx_node_model("GlobalAveragePool", x_shape), x, isa, tmp_path, case=str(x_shape))


def test_rank3(isa, rng, tmp_path):
    x_shape = (2, 5, 37)
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(onnx_node_model("GlobalAveragePool", x_shape), x, isa, tmp_path)


def test_large_threaded(isa, rng, tmp_path):
    # Many planes (split across threads) and one large plane (long reductions).
    for x_shape in [(1, 512, 20, 20), (1, 2, 300, 301)]:
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("GlobalAveragePool", x_shape), x, isa, tmp_path, num_threads=4,
                      case=str(x_shape))


def test_rank2_input_is_rejected():
    with pytest.raises(edgecnn.ModelFormatError, match="rank 3 or more"):
        edgecnn.load(single_node_ecnn("GlobalAveragePool", (2, 8), {}))
