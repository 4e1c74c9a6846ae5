"""Producer fusion (Op::fuse_producer, ConvOp), both ways, band by band of
rows with the tensor between never stored:
- pointwise -> depthwise: a 1x1 Conv whose output (at least 8 MiB) is used
  only by a depthwise Conv on the per-plane kernels runs inside that layer;
- depthwise -> pointwise: a depthwise Conv on the per-plane kernels whose
  output (at least 512 KiB) is used only by a 1x1 Conv of depth at most 32,
  or of any depth when that output is at least 4 MiB, runs inside the 1x1
  (which may add a residual).
Parity against onnxruntime over band and thread-range boundaries, strides,
paddings, activations, batch; the profile shows where fusion happened (the
producer's row is 0, its time in the consumer's)."""

import numpy as np
import pytest
from onnx import TensorProto, helper, numpy_helper

import edgecnn
from parity import convert_to_bytes, run_onnxruntime, tolerance

FUSE_MIN_BYTES = 8 << 20  # kFuseMinBytes in ops/conv.cpp

ACTIVATIONS = {
    None: lambda name, x: ([], x),
    "relu": lambda name, x: ([helper.make_node("Relu", [x], [name], name=name)], name),
    "relu6": lambda name, x: ([helper.make_node("Clip", [x, "lo", "hi"], [name], name=name)], name),
    "hardswish": lambda name, x: ([helper.make_node("HardSwish", [x], [name], name=name)], name),
}


def pw_dw_model(rng, batch, c_in, c_mid, h, w, k, stride, pads, act_pw, act_dw, dilation=1,
                pw_is_output=False):
    """X -> 1x1 Conv "pw" (+ act) -> depthwise k x k Conv "dw" (+ act) -> Y
    (and the pw activation as a second output when pw_is_output)."""
    inits = {
        "W1": (rng.standard_normal((c_mid, c_in, 1, 1)) * 0.3).astype(np.float32),
        "B1": (rng.standard_normal(c_mid) * 0.1).astype(np.float32),
        "W2": (rng.standard_normal((c_mid, 1, k, k)) * 0.3).astype(np.float32),
        "B2": (rng.standard_normal(c_mid) * 0.1).astype(np.float32),
        "lo": np.array(0.0, np.float32),
        "hi": np.array(6.0, np.float32),
    }
    nodes = [helper.make_node("Conv", ["X", "W1", "B1"], ["P"], name="pw")]
    extra, mid = ACTIVATIONS[act_pw]("pw_act", "P")
    nodes += extra
    nodes.append(helper.make_node("Conv", [mid, "W2", "B2"], ["D"], name="dw", group=c_mid,
                                  kernel_shape=[k, k], strides=[stride, stride], pads=list(pads),
                                  dilations=[dilation, dilation]))
    extra, out = ACTIVATIONS[act_dw]("dw_act", "D")
    nodes += extra
    outputs = [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)]
    if pw_is_output:
        outputs.append(helper.make_tensor_value_info(mid, TensorProto.FLOAT, None))
    graph = helper.make_graph(nodes, "pw_dw", [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                                             [batch, c_in, h, w])],
                              outputs, [numpy_helper.from_array(v, n) for n, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def check(model_proto, x, isa, tmp_path, threads, case, fused, producer="pw", consumer="dw"):
    """Parity with onnxruntime, and the profile: the producer's row 0 and the
    consumer's not where fused, the producer's row non-zero where not."""
    model = edgecnn.load(convert_to_bytes(model_proto, tmp_path), isa=isa, num_threads=threads)
    got = model.forward(x)
    ref = run_onnxruntime(model_proto, {"X": x})
    label = f"{case} isa={isa} threads={threads}"
    for i, (g, r) in enumerate(zip(got, ref)):
        diff = np.abs(g - r)
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape)
        assert diff.max() <= tolerance(r), f"{label} output {i}: max|diff| {diff.max():.3g} at {worst}"
    seconds = {name: t for name, _, _, t in model.profile(x, runs=1).rows}
    if fused:
        assert seconds[producer] == 0.0 and seconds[consumer] > 0.0, (
            f"{label}: {producer} not fused into {consumer} ({seconds})")
    else:
        assert seconds[producer] > 0.0, f"{label}: {producer} fused though it must not be ({seconds})"


# (batch, c_in, c_mid, h, w, k, stride, pads, act_pw, act_dw, dilation, threads): every c_mid*h*w*4
# >= 8 MiB; odd sizes leave short last bands and uneven thread ranges.
FUSED_CASES = [
    (1, 16, 64, 260, 260, 3, 2, (1, 1, 1, 1), "relu", "relu", 1, 1),  # LRASPP's first expansion
    (1, 8, 32, 257, 259, 3, 1, (1, 1, 1, 1), "hardswish", "hardswish", 1, 2),
    (1, 8, 32, 263, 256, 5, 2, (2, 2, 2, 2), None, "relu6", 1, 3),
    (1, 8, 33, 256, 255, 5, 1, (2, 2, 2, 2), "relu", None, 1, 2),
    (1, 8, 32, 258, 257, 3, 2, (0, 0, 1, 1), "relu", "relu", 1, 2),  # asymmetric padding
    (1, 8, 32, 256, 256, 3, 1, (2, 2, 2, 2), "relu", "relu", 2, 2),  # dilation 2
    (2, 8, 32, 256, 256, 3, 2, (1, 1, 1, 1), "relu6", "relu6", 1, 2),  # batch 2
    (1, 8, 32, 256, 256, 3, 2, (1, 1, 1, 1), "relu", "relu", 1, 4),  # 4 thread ranges
]


@pytest.mark.parametrize("case", FUSED_CASES)
def test_fused_pointwise_depthwise(isa, rng, tmp_path, case):
    batch, c_in, c_mid, h, w, k, s, pads, act_pw, act_dw, d, threads = case
    assert c_mid * h * w * 4 >= FUSE_MIN_BYTES
    model = pw_dw_model(rng, batch, c_in, c_mid, h, w, k, s, pads, act_pw, act_dw, dilation=d)
    x = rng.standard_normal((batch, c_in, h, w)).astype(np.float32)
    # Fused where the layer runs on the tier's per-plane kernels: 3x3, and
    # 5x5 stride 2, undilated, on these wide maps; 5x5 stride 1 and dilated
    # windows only on tiers without channel-lane kernels (ops/conv.cpp).
    per_plane_window = d == 1 and (k == 3 or s == 2)
    fused = edgecnn._core.f32_dwconv_kernel_name(isa, k, s) != "" and (
        per_plane_window or edgecnn._core.f32_dwconv_lanes_kernel_name(isa) is None)
    check(model, x, isa, tmp_path, threads, f"fused case {case}", fused)


def test_not_fused_below_the_size_or_with_another_use(isa, rng, tmp_path):
    # 16 x 256 x 256 floats is 4 MiB: both layers run on their own.
    model = pw_dw_model(rng, 1, 8, 16, 256, 256, 3, 2, (1, 1, 1, 1), "relu", "relu")
    x = rng.standard_normal((1, 8, 256, 256)).astype(np.float32)
    check(model, x, isa, tmp_path, 2, "4 MiB map", fused=False)
    # The pointwise output is also a graph output: it must be stored.
    model = pw_dw_model(rng, 1, 8, 32, 256, 256, 3, 2, (1, 1, 1, 1), "relu", "relu", pw_is_output=True)
    check(model, x, isa, tmp_path, 2, "pointwise output also a graph output", fused=False)


def dw_pw_model(rng, batch, c, c_out, h, w, k, stride, pads, act_dw, act_pw, residual=False):
    """X -> depthwise k x k Conv "dw" (+ act) -> 1x1 Conv "pw" (+ act) (+ X) -> Y."""
    inits = {
        "W1": (rng.standard_normal((c, 1, k, k)) * 0.3).astype(np.float32),
        "B1": (rng.standard_normal(c) * 0.1).astype(np.float32),
        "W2": (rng.standard_normal((c_out, c, 1, 1)) * 0.3).astype(np.float32),
        "B2": (rng.standard_normal(c_out) * 0.1).astype(np.float32),
        "lo": np.array(0.0, np.float32),
        "hi": np.array(6.0, np.float32),
    }
    nodes = [helper.make_node("Conv", ["X", "W1", "B1"], ["D"], name="dw", group=c, kernel_shape=[k, k],
                              strides=[stride, stride], pads=list(pads))]
    extra, mid = ACTIVATIONS[act_dw]("dw_act", "D")
    nodes += extra
    nodes.append(helper.make_node("Conv", [mid, "W2", "B2"], ["P"], name="pw"))
    extra, out = ACTIVATIONS[act_pw]("pw_act", "P")
    nodes += extra
    if residual:
        nodes.append(helper.make_node("Add", [out, "X"], ["Y"], name="add"))
        out = "Y"
    graph = helper.make_graph(nodes, "dw_pw", [helper.make_tensor_value_info("X", TensorProto.FLOAT,
                                                                             [batch, c, h, w])],
                              [helper.make_tensor_value_info(out, TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(v, n) for n, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


# (batch, c, c_out, h, w, k, stride, pads, act_dw, act_pw, residual, threads): the depthwise
# output c * out_h * out_w * 4 bytes is >= 512 KiB with c <= 32, or >= 4 MiB.
DW_PW_CASES = [
    (1, 16, 16, 112, 112, 3, 1, (1, 1, 1, 1), "relu", None, True, 1),  # MobileNetV3's first block
    (1, 32, 16, 113, 111, 3, 1, (1, 1, 1, 1), "relu6", None, False, 2),  # MobileNetV2's, odd sizes
    (1, 16, 24, 250, 252, 3, 2, (1, 1, 1, 1), "hardswish", "relu", False, 3),
    (1, 24, 16, 161, 158, 5, 2, (2, 2, 2, 2), None, "hardswish", False, 2),
    (1, 16, 16, 100, 101, 3, 1, (0, 1, 2, 1), "relu", "relu6", False, 2),  # asymmetric padding
    (2, 16, 16, 96, 96, 3, 1, (1, 1, 1, 1), "relu", "hardswish", True, 2),  # batch 2, residual after a HardSwish
    (1, 72, 24, 130, 130, 3, 1, (1, 1, 1, 1), "relu", None, False, 2),  # depth 72 on a 4.9 MB map
    (1, 16, 16, 112, 112, 3, 1, (1, 1, 1, 1), "relu", None, True, 4),  # 4 thread ranges
]


@pytest.mark.parametrize("case", DW_PW_CASES)
def test_fused_depthwise_pointwise(isa, rng, tmp_path, case):
    batch, c, c_out, h, w, k, s, pads, act_dw, act_pw, residual, threads = case
    out_h, out_w = (h + pads[0] + pads[2] - k) // s + 1, (w + pads[1] + pads[3] - k) // s + 1
    between = c * out_h * out_w * 4
    assert between >= 512 << 10 and (c <= 32 or between >= 4 << 20)
    model = dw_pw_model(rng, batch, c, c_out, h, w, k, s, pads, act_dw, act_pw, residual)
    x = rng.standard_normal((batch, c, h, w)).astype(np.float32)
    # These windows run on the per-plane kernels of every tier that has one at these widths.
    fused = edgecnn._core.f32_dwconv_kernel_name(isa, k, s) != ""
    check(model, x, isa, tmp_path, threads, f"fused case {case}", fused, producer="dw", consumer="pw")


def test_depthwise_not_fused_into_deep_projections_on_smaller_maps(isa, rng, tmp_path):
    # Depth 64 on a 0.8 MB map (MobileNetV3's 64 -> 24 at 56x56): unfused.
    model = dw_pw_model(rng, 1, 64, 24, 56, 56, 3, 1, (1, 1, 1, 1), "relu", None)
    x = rng.standard_normal((1, 64, 56, 56)).astype(np.float32)
    check(model, x, isa, tmp_path, 2, "depth 64, 0.8 MB", fused=False, producer="dw", consumer="pw")
    # Depth 16 under 512 KiB (16 x 56 x 56 floats: 200 KB).
    model = dw_pw_model(rng, 1, 16, 16, 56, 56, 3, 1, (1, 1, 1, 1), "relu", None, residual=True)
    x = rng.standard_normal((1, 16, 56, 56)).astype(np.float32)
    check(model, x, isa, tmp_path, 2, "depth 16, 200 KB", fused=False, producer="dw", consumer="pw")
