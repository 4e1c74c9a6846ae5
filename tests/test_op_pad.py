"""Pad against onnxruntime: constant (with a value), reflect and edge; positive,
zero and negative (cropping) pads on every axis; ranks 2 to 5; and what the
loader rejects."""

import numpy as np
import pytest

import edgecnn
from parity import assert_parity
from single_node import CHANNELS, onnx_node_model, single_node_ecnn

MODES = ["constant", "reflect", "edge"]


def pad_model(x_shape, mode, pads, value=None):
    """Pad with pads (and the constant value) as initializers, as exporters write them."""
    inits = {"pads": np.asarray(pads, np.int64)}
    if value is not None:
        inits["value"] = np.asarray(value, np.float32)
    return onnx_node_model("Pad", x_shape, {"mode": mode}, inits)


def random_pads(rng, x_shape, mode):
    """Pads onnxruntime accepts: every output axis non-empty; reflect and edge pad
    a non-empty cropped axis, reflect by less than its length."""
    rank = len(x_shape)
    begin, end = [0] * rank, [0] * rank
    for d, n in enumerate(x_shape):
        while True:
            b, e = (int(v) for v in rng.integers(-3, 5, size=2))
            kept = n - max(0, -b) - max(0, -e)
            if n + b + e < 1 or kept < 1:
                continue
            if mode == "reflect" and max(b, e) >= kept:
                continue
            begin[d], end[d] = b, e
            break
    return begin + end


@pytest.mark.parametrize("mode", MODES)
def test_random_pads(isa, rng, tmp_path, mode):
    for i in range(25):
        rank = int(rng.choice([2, 3, 4, 4, 4, 5]))
        x_shape = [int(v) for v in rng.integers(1, 9, size=rank)]
        if rank == 4:
            x_shape[1] = int(rng.choice(CHANNELS))
        pads = random_pads(rng, x_shape, mode)
        value = float(rng.standard_normal()) if mode == "constant" and rng.random() < 0.7 else None
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(pad_model(x_shape, mode, pads, value), x, isa, tmp_path,
                      case=f"case {i}: x={x_shape} pads={pads} value={value}")


@pytest.mark.parametrize("mode", MODES)
def test_spatial_padding_of_a_feature_map(isa, rng, tmp_path, mode):
    # The common exporter forms: symmetric and asymmetric H/W padding, and a crop.
    x_shape = (1, 17, 9, 10)
    x = rng.standard_normal(x_shape).astype(np.float32)
    for pads in ([0, 0, 1, 1, 0, 0, 1, 1], [0, 0, 0, 0, 0, 0, 1, 1], [0, 0, 2, 0, 0, 0, 1, 3],
                 [0, 0, -1, -2, 0, 0, 0, -1], [0, 0, -2, 3, 0, 0, 4, -3]):
        assert_parity(pad_model(x_shape, mode, pads, 0.5 if mode == "constant" else None), x, isa, tmp_path,
                      case=f"pads={pads}")


def test_large_threaded(isa, rng, tmp_path):
    x_shape = (1, 64, 60, 61)
    x = rng.standard_normal(x_shape).astype(np.float32)
    for mode in MODES:
        assert_parity(pad_model(x_shape, mode, [0, 0, 2, 1, 0, 0, 1, 2]), x, isa, tmp_path, num_threads=4, case=mode)


@pytest.mark.parametrize("attrs,error,match", [
    ({}, edgecnn.ModelFormatError, "pads"),
    ({"pads": [0, 0, 1, 1, 0, 0, 1]}, edgecnn.ModelFormatError, "8 values"),
    ({"pads": [0, 0, 1, 1, 0, 0, 1, 1], "mode": "bogus"}, edgecnn.ModelFormatError, "mode"),
    ({"pads": [0, 0, 1, 1, 0, 0, 1, 1], "mode": "wrap"}, edgecnn.UnsupportedOpError, "wrap"),
    ({"pads": [0, 0, -2, 0, 0, 0, -2, 0]}, edgecnn.ModelFormatError, "empty"),
    ({"pads": [0, 0, 4, 0, 0, 0, 0, 0], "mode": "reflect"}, edgecnn.UnsupportedOpError, "reflect"),
    ({"pads": [0, 0, 2, 0, 0, 0, -4, 0], "mode": "edge"}, edgecnn.ModelFormatError, "cropped to nothing"),
    ({"pads": [0.0] * 8}, edgecnn.ModelFormatError, "ints"),
    ({"pads": [0, 0, 0, 0, 0, 0, 2**30, 2**30]}, edgecnn.ModelFormatError, "2\\^31"),
])
def test_invalid_attributes(attrs, error, match):
    with pytest.raises(error, match=match):
        edgecnn.load(single_node_ecnn("Pad", (1, 2, 4, 5), attrs))


def test_pads_as_an_input_is_rejected():
    data = single_node_ecnn("Pad", (1, 2, 4, 5), {"pads": [0] * 8}, constants=[np.zeros(8, np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="attributes"):
        edgecnn.load(data)
