"""ConvTranspose against onnxruntime: groups (including depthwise), strides,
dilations, asymmetric pads, output_padding, bias, output_shape and auto_pad
(resolved by the converter), several threads; and what the loader rejects."""

import numpy as np
import pytest

import edgecnn
from parity import assert_parity
from single_node import CHANNELS, onnx_node_model, single_node_ecnn


def conv_transpose_model(x_shape, w, b=None, attrs=None):
    inits = {"W": w} if b is None else {"W": w, "B": b}
    return onnx_node_model("ConvTranspose", x_shape, attrs or {}, inits)


def random_case(rng):
    kind = rng.choice(["one", "grouped", "depthwise"])
    if kind == "one":
        group, c_in, c_out = 1, int(rng.choice(CHANNELS)), int(rng.choice(CHANNELS))
    elif kind == "grouped":
        group = int(rng.choice([2, 3]))
        c_in, c_out = group * int(rng.integers(1, 7)), group * int(rng.integers(1, 7))
    else:
        group = c_in = int(rng.choice(CHANNELS))
        c_out = c_in * int(rng.integers(1, 3))
    kh, kw = (int(v) for v in rng.choice([1, 2, 3, 4, 5], size=2))
    strides = [int(v) for v in rng.integers(1, 4, size=2)]
    dilations = [int(v) for v in rng.integers(1, 3, size=2)]
    attrs = {"group": group, "strides": strides, "dilations": dilations}
    if rng.random() < 0.5:
        # onnxruntime requires output_padding below the stride.
        attrs["output_padding"] = [int(rng.integers(0, s)) for s in strides]
    if rng.random() < 0.7:
        attrs["pads"] = [int(v) for v in rng.integers(0, 3, size=4)]
    x_shape = (int(rng.integers(1, 3)), c_in, int(rng.integers(1, 12)), int(rng.integers(1, 12)))
    return x_shape, (c_in, c_out // group, kh, kw), attrs


def test_random_transposed_convolutions(isa, rng, tmp_path):
    done = 0
    while done < 40:
        x_shape, w_shape, attrs = random_case(rng)
        k_eff = [(k - 1) * d + 1 for k, d in zip(w_shape[2:], attrs["dilations"])]
        out = [s * (n - 1) + op + k - pb - pe for s, n, op, k, pb, pe in
               zip(attrs["strides"], x_shape[2:], attrs.get("output_padding", [0, 0]), k_eff,
                   attrs.get("pads", [0] * 4)[:2], attrs.get("pads", [0] * 4)[2:])]
        if min(out) < 1:
            continue
        w = rng.standard_normal(w_shape).astype(np.float32)
        b = rng.standard_normal(w_shape[1] * attrs["group"]).astype(np.float32) if rng.random() < 0.7 else None
        x = rng.standard_normal(x_shape).astype(np.float32)
        assert_parity(conv_transpose_model(x_shape, w, b, attrs), x, isa, tmp_path,
                      case=f"case {done}: x={x_shape} w={w_shape} bias={b is not None} {attrs}")
        done += 1


@pytest.mark.parametrize("attrs", [
    {"strides": [2, 2], "output_shape": [15, 17]},
    {"strides": [2, 2], "output_shape": [16, 18]},
    {"strides": [2, 3], "auto_pad": "SAME_UPPER"},
    {"strides": [2, 2], "auto_pad": "SAME_LOWER"},
    {"strides": [2, 2], "auto_pad": "VALID"},
])
def test_converter_resolved_padding(isa, rng, tmp_path, attrs):
    x_shape = (1, 4, 8, 9)
    w = rng.standard_normal((4, 5, 3, 3)).astype(np.float32)
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(conv_transpose_model(x_shape, w, None, attrs), x, isa, tmp_path, case=str(attrs))


@pytest.mark.parametrize("x_shape,w_shape,attrs", [
    ((1, 64, 40, 40), (64, 32, 4, 4), {"strides": [2, 2], "pads": [1, 1, 1, 1]}),  # DCGAN / FCN upsampling
    ((1, 256, 20, 21), (256, 128, 2, 2), {"strides": [2, 2]}),  # U-Net / YOLO-seg proto
    ((2, 33, 17, 19), (33, 1, 3, 3), {"group": 33, "pads": [1, 1, 1, 1]}),  # depthwise
])
def test_large_threaded(isa, rng, tmp_path, x_shape, w_shape, attrs):
    w = (rng.standard_normal(w_shape) * 0.1).astype(np.float32)
    b = rng.standard_normal(w_shape[1] * attrs.get("group", 1)).astype(np.float32)
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(conv_transpose_model(x_shape, w, b, attrs), x, isa, tmp_path, num_threads=4, case=str(x_shape))


W = np.ones((4, 3, 3, 3), np.float32)


@pytest.mark.parametrize("constants,attrs,error,match", [
    ([np.ones((5, 3, 3, 3), np.float32)], {}, edgecnn.ModelFormatError, "does not match input channels"),
    ([np.ones((4, 3, 3), np.float32)], {}, edgecnn.ModelFormatError, "4-D"),
    ([W], {"group": 3}, edgecnn.ModelFormatError, "group"),
    ([W], {"group": 0}, edgecnn.ModelFormatError, "group"),
    ([W], {"kernel_shape": [2, 2]}, edgecnn.ModelFormatError, "kernel_shape"),
    ([W], {"strides": [1]}, edgecnn.ModelFormatError, "strides"),
    ([W], {"output_padding": [1]}, edgecnn.ModelFormatError, "output_padding"),
    ([W], {"output_padding": [-1, 0]}, edgecnn.ModelFormatError, "output_padding"),
    ([W], {"pads": [4, 4, 4, 4]}, edgecnn.ModelFormatError, "empty"),
    ([W], {"strides": [65536, 65536]}, edgecnn.ModelFormatError, "2\\^31"),
    ([W, np.ones(4, np.float32)], {}, edgecnn.ModelFormatError, "bias"),
    ([W], {"output_shape": [7, 7]}, edgecnn.UnsupportedOpError, "output_shape"),
    ([W], {"auto_pad": "SAME_UPPER"}, edgecnn.ModelFormatError, "auto_pad"),
])
def test_invalid_attributes(constants, attrs, error, match):
    with pytest.raises(error, match=match):
        edgecnn.load(single_node_ecnn("ConvTranspose", (1, 4, 5, 5), attrs, constants))


def test_1d_is_unsupported():
    with pytest.raises(edgecnn.UnsupportedOpError, match="2-D"):
        edgecnn.load(single_node_ecnn("ConvTranspose", (1, 4, 5), {}, [np.ones((4, 3, 3), np.float32)]))
