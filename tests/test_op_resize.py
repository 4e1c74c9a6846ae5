"""Resize against onnxruntime: nearest (every coordinate mode x every nearest
mode) and linear (every coordinate mode), upsampling and downsampling, integer
and non-integer scales, scales and sizes; tf_half_pixel_for_nearest against the
ONNX reference implementation (onnxruntime does not run it); and what the loader
rejects."""

import numpy as np
import pytest

import edgecnn
from parity import assert_parity
from single_node import CHANNELS, onnx_node_model, single_node_ecnn

COORD_MODES = ["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]
NEAREST_MODES = ["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]
SCALES = [2.0, 3.0, 0.5, 0.25, 1.5, 0.6, 1.0, 2.5, 1 / 3, 1.7]


def resize_model(x_shape, attrs, scales=None, sizes=None, opset=17):
    """Resize with its scales or sizes as initializers, as exporters write them."""
    if scales is not None:
        inits, inputs = {"scales": np.asarray(scales, np.float32)}, ["", "scales"]
    else:
        inits, inputs = {"sizes": np.asarray(sizes, np.int64)}, ["", "", "sizes"]
    return onnx_node_model("Resize", x_shape, attrs, inits, inputs, opset=opset)


def random_resize(rng):
    """(x_shape, scales, sizes): one of scales / sizes is None."""
    x_shape = (int(rng.integers(1, 3)), int(rng.choice(CHANNELS)), int(rng.integers(1, 12)), int(rng.integers(1, 12)))
    if rng.random() < 0.5:
        while True:
            sh, sw = (float(np.float32(rng.choice(SCALES) if rng.random() < 0.7 else rng.uniform(0.3, 3.5)))
                      for _ in range(2))
            if int(np.float32(sh) * np.float32(x_shape[2])) >= 1 and int(np.float32(sw) * np.float32(x_shape[3])) >= 1:
                return x_shape, [1.0, 1.0, sh, sw], None
    return x_shape, None, [x_shape[0], x_shape[1], int(rng.integers(1, 25)), int(rng.integers(1, 25))]


@pytest.mark.parametrize("coord", COORD_MODES)
@pytest.mark.parametrize("nearest", NEAREST_MODES)
def test_nearest(isa, rng, tmp_path, coord, nearest):
    attrs = {"mode": "nearest", "coordinate_transformation_mode": coord, "nearest_mode": nearest}
    for i in range(12):
        x_shape, scales, sizes = random_resize(rng)
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(resize_model(x_shape, attrs, scales, sizes), x, isa, tmp_path,
                      case=f"case {i}: x={x_shape} scales={scales} sizes={sizes} {attrs}")


@pytest.mark.parametrize("coord", COORD_MODES)
def test_linear(isa, rng, tmp_path, coord):
    attrs = {"mode": "linear", "coordinate_transformation_mode": coord}
    for i in range(20):
        x_shape, scales, sizes = random_resize(rng)
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(resize_model(x_shape, attrs, scales, sizes), x, isa, tmp_path,
                      case=f"case {i}: x={x_shape} scales={scales} sizes={sizes} {attrs}")


@pytest.mark.parametrize("coord", COORD_MODES)
def test_linear_rows_upsampled(isa, rng, tmp_path, coord):
    # Rows upsampled or kept: each input row is interpolated along x once and
    # output rows blend two of them. Columns up, kept and down (but not below
    # half: that is the sparse path), one input row, LRASPP's 8x at 65 -> 520.
    attrs = {"mode": "linear", "coordinate_transformation_mode": coord}
    for x_shape, sizes in [((1, 3, 5, 20), (13, 11)), ((1, 2, 4, 7), (4, 13)), ((2, 3, 1, 9), (6, 9)),
                           ((1, 2, 7, 7), (7, 7)), ((1, 4, 65, 65), (520, 520)), ((1, 3, 3, 16), (17, 31))]:
        x = rng.standard_normal(x_shape).astype(np.float32)
        full = [x_shape[0], x_shape[1], *sizes]
        assert_parity(resize_model(x_shape, attrs, sizes=full), x, isa, tmp_path, case=f"x={x_shape} sizes={full} {attrs}")


def test_defaults_and_exporter_forms(isa, rng, tmp_path):
    # No attributes at all (nearest, half_pixel, round_prefer_floor), the
    # asymmetric/floor 2x of Ultralytics exports, and PyTorch's bilinear.
    x_shape = (1, 16, 10, 13)
    x = rng.standard_normal(x_shape).astype(np.float32)
    for attrs, scales in [({}, [1, 1, 2, 2]),
                          ({"mode": "nearest", "coordinate_transformation_mode": "asymmetric", "nearest_mode": "floor"},
                           [1, 1, 2, 2]),
                          ({"mode": "linear", "coordinate_transformation_mode": "pytorch_half_pixel"}, [1, 1, 4, 4]),
                          ({"mode": "linear", "coordinate_transformation_mode": "align_corners"}, [1, 1, 2, 2])]:
        assert_parity(resize_model(x_shape, attrs, scales), x, isa, tmp_path, case=str(attrs))


def test_same_size_with_a_scale_other_than_one(isa, rng, tmp_path):
    # floor(3 * 1.25) == 3: the shape is unchanged and onnxruntime copies the input.
    x_shape = (1, 2, 3, 10)
    x = rng.standard_normal(x_shape).astype(np.float32)
    for mode in ["nearest", "linear"]:
        attrs = {"mode": mode, "coordinate_transformation_mode": "half_pixel", "nearest_mode": "floor"}
        assert_parity(resize_model(x_shape, attrs, [1, 1, 1.25, 1.05]), x, isa, tmp_path, case=mode)


def test_large_threaded(isa, rng, tmp_path):
    x_shape = (1, 64, 40, 41)
    x = rng.standard_normal(x_shape).astype(np.float32)
    for attrs in [{"mode": "nearest"}, {"mode": "linear"}]:
        assert_parity(resize_model(x_shape, attrs, [1, 1, 2, 2]), x, isa, tmp_path, num_threads=4, case=str(attrs))


def nearest_index(v: float, mode: str, size: int) -> int:
    """ONNX rounding of a source coordinate, clamped to the axis."""
    f = np.floor(v)
    i = {"floor": f, "ceil": np.ceil(v), "round_prefer_floor": f if v - f <= 0.5 else f + 1,
         "round_prefer_ceil": f if v - f < 0.5 else f + 1}[mode]
    return int(min(max(i, 0), size - 1))


@pytest.mark.parametrize("nearest", NEAREST_MODES)
def test_tf_half_pixel_for_nearest(isa, rng, nearest):
    # Removed from Resize in opset 13; neither onnxruntime nor the ONNX reference
    # implementation runs it, so the expectation is the ONNX-11 formula
    # x_original = (x + 0.5) / scale, in float32.
    attrs = {"mode": "nearest", "coordinate_transformation_mode": "tf_half_pixel_for_nearest", "nearest_mode": nearest}
    for scales in ([1, 1, 2.0, 0.5], [1, 1, 1.5, 2.5], [1, 1, 0.75, 3.0]):
        x_shape = (1, 3, 6, 8)
        x = rng.standard_normal(x_shape).astype(np.float32)
        sh, sw = np.float32(scales[2]), np.float32(scales[3])
        rows = [nearest_index((np.float32(o) + np.float32(0.5)) / sh, nearest, 6) for o in range(int(6 * sh))]
        cols = [nearest_index((np.float32(o) + np.float32(0.5)) / sw, nearest, 8) for o in range(int(8 * sw))]
        ecnn = single_node_ecnn("Resize", x_shape, dict(attrs, scales=[float(s) for s in scales]))
        got = edgecnn.load(ecnn, isa=isa).forward(x)[0]
        np.testing.assert_array_equal(got, x[:, :, rows][:, :, :, cols], err_msg=f"scales={scales} {attrs}")


GOOD = {"scales": [1.0, 1.0, 2.0, 2.0]}


@pytest.mark.parametrize("attrs,error,match", [
    ({}, edgecnn.ModelFormatError, "scales and sizes"),
    ({"scales": [1.0, 1.0, 2.0, 2.0], "sizes": [1, 1, 8, 8]}, edgecnn.ModelFormatError, "scales and sizes"),
    ({"scales": [1.0, 2.0, 2.0]}, edgecnn.ModelFormatError, "4 values"),
    ({"sizes": [1, 1, 8]}, edgecnn.ModelFormatError, "4 values"),
    ({"scales": [1.0, 1.0, 0.0, 2.0]}, edgecnn.ModelFormatError, "positive"),
    ({"scales": [1.0, 1.0, float("nan"), 2.0]}, edgecnn.ModelFormatError, "positive"),
    ({"scales": [1.0, 1.0, 0.1, 2.0]}, edgecnn.ModelFormatError, "empty"),
    ({"sizes": [1, 1, 0, 8]}, edgecnn.ModelFormatError, "sizes"),
    ({"scales": [1.0, 1.0, 1e9, 2.0]}, edgecnn.ModelFormatError, "2\\^31"),
    ({"sizes": [1, 1, 2**30, 2**30]}, edgecnn.ModelFormatError, "2\\^31"),
    ({"scales": [1, 1, 2, 2]}, edgecnn.ModelFormatError, "floats"),
    ({**GOOD, "mode": "bogus"}, edgecnn.ModelFormatError, "mode"),
    ({**GOOD, "coordinate_transformation_mode": "bogus"}, edgecnn.ModelFormatError, "coordinate_transformation_mode"),
    ({**GOOD, "nearest_mode": "bogus"}, edgecnn.ModelFormatError, "nearest_mode"),
    ({**GOOD, "mode": "cubic"}, edgecnn.UnsupportedOpError, "cubic"),
    ({**GOOD, "coordinate_transformation_mode": "tf_crop_and_resize"}, edgecnn.UnsupportedOpError, "tf_crop_and_resize"),
    ({**GOOD, "antialias": 1}, edgecnn.UnsupportedOpError, "antialias"),
    ({"scales": [1.0, 2.0, 2.0, 2.0]}, edgecnn.UnsupportedOpError, "channel"),
    ({"sizes": [2, 1, 8, 8]}, edgecnn.UnsupportedOpError, "batch"),
])
def test_invalid_attributes(attrs, error, match):
    with pytest.raises(error, match=match):
        edgecnn.load(single_node_ecnn("Resize", (1, 1, 4, 4), attrs))


def test_scales_as_an_input_is_rejected():
    data = single_node_ecnn("Resize", (1, 1, 4, 4), GOOD, constants=[None, np.array([1, 1, 2, 2], np.float32)])
    with pytest.raises(edgecnn.ModelFormatError, match="attributes"):
        edgecnn.load(data)


def test_rank3_is_unsupported():
    with pytest.raises(edgecnn.UnsupportedOpError, match="4-D"):
        edgecnn.load(single_node_ecnn("Resize", (1, 4, 4), {"scales": [1.0, 2.0, 2.0]}))
