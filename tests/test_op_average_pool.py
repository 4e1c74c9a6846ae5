"""AveragePool against onnxruntime: windows, strides, asymmetric pads, auto_pad,
ceil_mode, count_include_pad (including ceil_mode windows cut at the end of the
padded input); and what the loader rejects."""

import numpy as np
import pytest

import edgecnn
from parity import assert_parity
from pool_cases import random_pool_case, stride2_column_cases
from single_node import onnx_node_model, single_node_ecnn


def test_random_windows(isa, rng, tmp_path):
    for i in range(40):
        x_shape, attrs = random_pool_case(rng, dilations=False)
        attrs["count_include_pad"] = int(rng.integers(0, 2))
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("AveragePool", x_shape, attrs), x, isa, tmp_path,
                      case=f"case {i}: x={x_shape} {attrs}")



def test_stride2_columns(isa, rng, tmp_path):
    for x_shape, attrs in stride2_column_cases(dilations=False):
        attrs = dict(attrs, count_include_pad=int(x_shape[3] % 2))
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("AveragePool", x_shape, attrs), x, isa, tmp_path, case=f"x={x_shape} {attrs}")

@pytest.mark.parametrize("count_include_pad", [0, 1])
@pytest.mark.parametrize("ceil_mode", [0, 1])
def test_divisor_at_the_borders(isa, rng, tmp_path, ceil_mode, count_include_pad):
    # Windows overlapping the pads and, with ceil_mode, running past the padded
    # input: the divisor counts the pads (or not) but never the part beyond them.
    for h, w, k, s, pads in [(7, 8, 3, 2, [1, 1, 1, 1]), (5, 5, 2, 2, [1, 1, 1, 1]), (6, 9, 3, 3, [0, 2, 1, 0]),
                             (4, 4, 4, 3, [3, 3, 3, 3]), (1, 5, 2, 2, [1, 0, 1, 1])]:
        x_shape = (1, 3, h, w)
        attrs = {"kernel_shape": [k, k], "strides": [s, s], "pads": pads, "ceil_mode": ceil_mode,
                 "count_include_pad": count_include_pad}
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(onnx_node_model("AveragePool", x_shape, attrs), x, isa, tmp_path, case=f"{x_shape} {attrs}")


def test_large_threaded(isa, rng, tmp_path):
    x_shape = (1, 96, 35, 36)
    attrs = {"kernel_shape": [3, 3], "strides": [1, 1], "pads": [1, 1, 1, 1], "count_include_pad": 0}
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(onnx_node_model("AveragePool", x_shape, attrs), x, isa, tmp_path, num_threads=4)


@pytest.mark.parametrize("attrs,x_shape,error,match", [
    ({}, (1, 1, 4, 4), edgecnn.ModelFormatError, "kernel_shape"),
    ({"kernel_shape": [2, 2], "strides": [1, -1]}, (1, 1, 4, 4), edgecnn.ModelFormatError, "strides"),
    ({"kernel_shape": [2, 2], "pads": [0, 0]}, (1, 1, 4, 4), edgecnn.ModelFormatError, "pads"),
    ({"kernel_shape": [2, 2], "count_include_pad": 3}, (1, 1, 4, 4), edgecnn.ModelFormatError, "count_include_pad"),
    ({"kernel_shape": [2, 2], "ceil_mode": -1}, (1, 1, 4, 4), edgecnn.ModelFormatError, "ceil_mode"),
    ({"kernel_shape": [2, 2], "kernel_shape_typo": 1, "auto_pad": "VALID"}, (1, 1, 4, 4), edgecnn.ModelFormatError,
     "auto_pad"),
    ({"kernel_shape": [3, 3], "pads": [0, 0, 0, 0]}, (1, 1, 2, 5), edgecnn.ModelFormatError, "does not fit"),
    ({"kernel_shape": [2, 2], "dilations": [2, 2]}, (1, 1, 6, 6), edgecnn.UnsupportedOpError, "dilations"),
    ({"kernel_shape": [2, 2], "pads": [0, 0, 0, 2]}, (1, 1, 4, 4), edgecnn.UnsupportedOpError, "smaller than the kernel"),
    ({"kernel_shape": [2]}, (1, 1, 4), edgecnn.UnsupportedOpError, "2-D"),
])
def test_invalid_attributes(attrs, x_shape, error, match):
    with pytest.raises(error, match=match):
        edgecnn.load(single_node_ecnn("AveragePool", x_shape, attrs))
