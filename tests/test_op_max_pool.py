"""MaxPool against onnxruntime: windows, strides, dilations, asymmetric pads,
auto_pad, ceil_mode; and what the loader rejects."""

import numpy as np
import pytest

import edgecnn
from parity import assert_parity, convert_to_bytes
from pool_cases import random_pool_case, stride2_column_cases
from single_node import onnx_node_model, single_node_ecnn


def test_random_windows(isa, rng, tmp_path):
    for i in range(40):
        x_shape, attrs = random_pool_case(rng, dilations=True)
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("MaxPool", x_shape, attrs), x, isa, tmp_path, case=f"case {i}: x={x_shape} {attrs}")


def test_stride2_columns(isa, rng, tmp_path):
    for x_shape, attrs in stride2_column_cases(dilations=True):
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("MaxPool", x_shape, attrs), x, isa, tmp_path, case=f"x={x_shape} {attrs}")


@pytest.mark.parametrize("ceil_mode", [0, 1])
def test_ceil_mode_last_window(isa, rng, tmp_path, ceil_mode):
    # 3x3 stride 2 over odd and even sizes: with ceil_mode the last window runs
    # past the input, and is dropped when it would start in the end padding.
    for h, w, pads in [(7, 8, [0, 0, 0, 0]), (6, 6, [1, 1, 1, 1]), (5, 9, [1, 0, 2, 1]), (2, 3, [0, 1, 1, 0])]:
        x_shape = (1, 3, h, w)
        attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": pads, "ceil_mode": ceil_mode}
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("MaxPool", x_shape, attrs), x, isa, tmp_path, case=f"{x_shape} {attrs}")


def test_dilated_window_of_padding_only(isa, tmp_path):
    # A dilated window can hold nothing but padding: onnxruntime yields the lowest float.
    x_shape = (1, 2, 1, 8)
    attrs = {"kernel_shape": [2, 4], "strides": [3, 3], "pads": [1, 1, 1, 1], "dilations": [2, 2]}
    x = np.arange(16, dtype=np.float32).reshape(x_shape)
    assert_parity(onnx_node_model("MaxPool", x_shape, attrs), x, isa, tmp_path)


def test_large_threaded(isa, rng, tmp_path):
    x_shape = (2, 64, 57, 56)
    attrs = {"kernel_shape": [3, 3], "strides": [2, 2], "pads": [1, 1, 1, 1]}
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(onnx_node_model("MaxPool", x_shape, attrs), x, isa, tmp_path, num_threads=4)


def numpy_max_pool(x, k, s, pads, d):
    """MaxPool over each window's inside taps (np.max: a NaN gives NaN)."""
    n, c, h, w = x.shape
    out_h = (h + pads[0] + pads[2] - d * (k - 1) - 1) // s + 1
    out_w = (w + pads[1] + pads[3] - d * (k - 1) - 1) // s + 1
    y = np.empty((n, c, out_h, out_w), np.float32)
    for oy in range(out_h):
        rows = [r for r in range(oy * s - pads[0], oy * s - pads[0] + d * k, d) if 0 <= r < h]
        for ox in range(out_w):
            cols = [q for q in range(ox * s - pads[1], ox * s - pads[1] + d * k, d) if 0 <= q < w]
            y[:, :, oy, ox] = x[:, :, rows][:, :, :, cols].max(axis=(2, 3))
    return y


@pytest.mark.parametrize("k,s,pads,d", [(3, 2, [1, 1, 1, 1], 1), (5, 1, [2, 2, 2, 2], 1), (3, 1, [1, 0, 1, 2], 2),
                                        (3, 3, [1, 1, 1, 1], 1), (2, 2, [0, 0, 0, 0], 1)])
def test_nan_and_infinity(isa, rng, tmp_path, k, s, pads, d):
    # A NaN anywhere in a window gives NaN there, and a window of -inf gives
    # -inf (numpy and PyTorch; onnxruntime keeps or drops a NaN, and clamps
    # -inf, depending on the kernel shape, so numpy is the reference): the
    # stride-2 column phases, the stride-1 interior and edge columns, a
    # dilated window, stride 3's strided columns.
    x_shape = (1, 3, 23, 41)
    attrs = {"kernel_shape": [k, k], "strides": [s, s], "pads": pads, "dilations": [d, d]}
    x = rng.standard_normal(x_shape).astype(np.float32)
    x.reshape(-1)[rng.choice(x.size, 12, replace=False)] = np.nan
    x[0, 2] = -np.inf  # a channel of -inf: every window's max is -inf (not the lowest float)
    x[0, 2, 5, 7] = np.nan
    model = edgecnn.load(convert_to_bytes(onnx_node_model("MaxPool", x_shape, attrs), tmp_path), isa=isa)
    got = model.forward(x)[0]
    want = numpy_max_pool(x, k, s, pads, d)
    case = f"isa={isa} {attrs}"
    assert np.array_equal(np.isnan(got), np.isnan(want)), (
        f"{case}: NaN differs at {np.argwhere(np.isnan(got) != np.isnan(want))[0].tolist()}")
    assert np.array_equal(got[~np.isnan(want)], want[~np.isnan(want)]), case


def test_indices_output_is_unsupported():
    data = single_node_ecnn("MaxPool", (1, 1, 4, 4), {"kernel_shape": [2, 2]}, outputs=2)
    with pytest.raises(edgecnn.UnsupportedOpError, match="Indices"):
        edgecnn.load(data)


@pytest.mark.parametrize("attrs,x_shape,error,match", [
    ({}, (1, 1, 4, 4), edgecnn.ModelFormatError, "kernel_shape"),
    ({"kernel_shape": [2, 2], "strides": [0, 1]}, (1, 1, 4, 4), edgecnn.ModelFormatError, "strides"),
    ({"kernel_shape": [2, 2], "pads": [0, 0, 0]}, (1, 1, 4, 4), edgecnn.ModelFormatError, "pads"),
    ({"kernel_shape": [2, 2], "pads": [0, -1, 0, 0]}, (1, 1, 4, 4), edgecnn.ModelFormatError, "pads"),
    ({"kernel_shape": [2, 2], "ceil_mode": 2}, (1, 1, 4, 4), edgecnn.ModelFormatError, "ceil_mode"),
    ({"kernel_shape": [2, 2], "auto_pad": "SAME_UPPER"}, (1, 1, 4, 4), edgecnn.ModelFormatError, "auto_pad"),
    ({"kernel_shape": [5, 5]}, (1, 1, 4, 4), edgecnn.ModelFormatError, "does not fit"),
    ({"kernel_shape": [2, 2], "pads": [2, 0, 0, 0]}, (1, 1, 4, 4), edgecnn.UnsupportedOpError, "smaller than the kernel"),
    ({"kernel_shape": [2]}, (1, 1, 4), edgecnn.UnsupportedOpError, "2-D"),
    ({"kernel_shape": [2, 2, 2]}, (1, 1, 4, 4, 4), edgecnn.UnsupportedOpError, "2-D"),
])
def test_invalid_attributes(attrs, x_shape, error, match):
    with pytest.raises(error, match=match):
        edgecnn.load(single_node_ecnn("MaxPool", x_shape, attrs))
