"""Conv against onnxruntime: every path (general im2col+GEMM, pointwise 1x1, depthwise),
padding modes, strides, dilations, groups, fused activations and residual adds."""

import numpy as np
import onnx
import pytest
from onnx import TensorProto, helper, numpy_helper

import edgecnn
from edgecnn.ecnn_file import read_ecnn
from parity import assert_parity
from single_node import single_node_ecnn

CHANNELS = [1, 3, 15, 16, 17, 33]


def conv_model(x_shape, w, b=None, attrs=None, post=None, residual=False):
    """Conv(X, W[, B]) optionally followed by `post` nodes built by a callback."""
    inits = [numpy_helper.from_array(w, "W")]
    inputs = ["X", "W"]
    if b is not None:
        inits.append(numpy_helper.from_array(b, "B"))
        inputs.append("B")
    nodes = [helper.make_node("Conv", inputs, ["Y0"], name="conv", **(attrs or {}))]
    last = "Y0"
    if post is not None:
        extra_nodes, extra_inits, last = post("Y0")
        nodes += extra_nodes
        inits += extra_inits
    graph = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info(last, TensorProto.FLOAT, None)], inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def random_case(rng):
    groups_kind = rng.choice(["one", "depthwise", "grouped"])
    c_in = int(rng.choice(CHANNELS))
    if groups_kind == "depthwise":
        group, c_out = c_in, c_in
    elif groups_kind == "grouped":
        group = int(rng.choice([2, 3]))
        c_in = group * int(rng.integers(1, 9))
        c_out = group * int(rng.integers(1, 9))
    else:
        group, c_out = 1, int(rng.choice(CHANNELS))
    kh, kw = (int(v) for v in rng.choice([1, 2, 3, 5], size=2))
    attrs = {"group": group, "strides": [int(v) for v in rng.integers(1, 3, size=2)],
             "dilations": [int(v) for v in rng.integers(1, 3, size=2)]}
    pad_mode = rng.choice(["zero", "symmetric", "asymmetric", "SAME_UPPER", "SAME_LOWER", "VALID"])
    if pad_mode in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        attrs["auto_pad"] = str(pad_mode)
        if pad_mode != "VALID":
            attrs["dilations"] = [1, 1]  # onnxruntime rejects SAME padding with dilations
    elif pad_mode == "symmetric":
        p = [int(v) for v in rng.integers(0, 3, size=2)]
        attrs["pads"] = p + p
    elif pad_mode == "asymmetric":
        attrs["pads"] = [int(v) for v in rng.integers(0, 3, size=4)]
    h, w = (int(v) for v in rng.integers(9, 20, size=2))  # >= the largest dilated kernel (5, dilation 2)
    return c_in, c_out, group, kh, kw, attrs, (int(rng.integers(1, 3)), c_in, h, w)


def test_random_convolutions(isa, rng, tmp_path):
    for i in range(40):
        c_in, c_out, group, kh, kw, attrs, x_shape = random_case(rng)
        w = rng.standard_normal((c_out, c_in // group, kh, kw)).astype(np.float32)
        b = rng.standard_normal(c_out).astype(np.float32) if rng.random() < 0.7 else None
        x = rng.standard_normal(x_shape).astype(np.float32)
        case = f"case {i}: x={x_shape} w={w.shape} bias={b is not None} {attrs}"
        assert_parity(conv_model(x_shape, w, b, attrs), x, isa, tmp_path, case=case)


@pytest.mark.parametrize("c_in,c_out", [(c, d) for c in (1, 16, 17, 33) for d in (1, 3, 15, 16, 17, 33)])
def test_pointwise_channel_boundaries(isa, rng, tmp_path, c_in, c_out):
    x_shape = (1, c_in, 7, 9)
    w = rng.standard_normal((c_out, c_in, 1, 1)).astype(np.float32)
    b = rng.standard_normal(c_out).astype(np.float32)
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(conv_model(x_shape, w, b), x, isa, tmp_path, case=f"1x1 {c_in}->{c_out}")


def test_large_spatial_multi_block(isa, rng, tmp_path):
    # More output pixels than one column block, and more channels than one
    # weight panel: exercises the block and panel split across threads.
    x_shape = (1, 24, 45, 47)
    w = rng.standard_normal((40, 24, 3, 3)).astype(np.float32) * 0.2
    x = rng.standard_normal(x_shape).astype(np.float32)
    assert_parity(conv_model(x_shape, w, None, {"pads": [1, 1, 1, 1]}), x, isa, tmp_path, case="multi-block")


def _unary(op, **attrs):
    def post(y):
        return [helper.make_node(op, [y], ["Y"], name="act", **attrs)], [], "Y"
    return post


def _clip(lo, hi):
    def post(y):
        inits = [numpy_helper.from_array(np.array(lo, np.float32), "lo"),
                 numpy_helper.from_array(np.array(hi, np.float32), "hi")]
        return [helper.make_node("Clip", [y, "lo", "hi"], ["Y"], name="clip")], inits, "Y"
    return post


def _silu(y):
    return [helper.make_node("Sigmoid", [y], ["S"], name="sig"),
            helper.make_node("Mul", [y, "S"], ["Y"], name="mul")], [], "Y"


def _residual(order):
    """Conv output Y0 plus the input X: "add_then_relu" (ResNet), "silu_then_add" (YOLO
    bottlenecks), "relu_then_add", "add_then_silu" or "add" alone."""
    def post(y):
        if order in ("add_then_relu", "add_then_silu", "add"):
            nodes = [helper.make_node("Add", [y, "X"], ["A"], name="add")]
            if order == "add":
                return nodes, [], "A"
            if order == "add_then_relu":
                return nodes + [helper.make_node("Relu", ["A"], ["Y"], name="relu")], [], "Y"
            more, _, z = _silu("A")
            return nodes + more, [], z
        if order == "relu_then_add":
            return [helper.make_node("Relu", [y], ["R"], name="relu"),
                    helper.make_node("Add", ["R", "X"], ["Y2"], name="add")], [], "Y2"
        nodes, _, z = _silu(y)
        return nodes + [helper.make_node("Add", ["X", z], ["Y2"], name="add")], [], "Y2"
    return post


ACTIVATIONS = {
    "relu": _unary("Relu"),
    "relu6": _clip(0.0, 6.0),
    "sigmoid": _unary("Sigmoid"),
    "silu": _silu,
    "hardsigmoid": _unary("HardSigmoid", alpha=0.3, beta=0.4),
    "hardswish": _unary("HardSwish"),
    "leakyrelu": _unary("LeakyRelu", alpha=0.15),
    "tanh": _unary("Tanh"),
}


@pytest.mark.parametrize("act", sorted(ACTIVATIONS))
@pytest.mark.parametrize("kind", ["general", "pointwise", "depthwise"])
def test_fused_activation(isa, rng, tmp_path, act, kind):
    c = 17
    k, group = {"general": (3, 1), "pointwise": (1, 1), "depthwise": (3, c)}[kind]
    x_shape = (1, c, 11, 13)
    w = rng.standard_normal((c, c // group, k, k)).astype(np.float32) * 0.5
    b = rng.standard_normal(c).astype(np.float32)
    x = rng.standard_normal(x_shape).astype(np.float32) * 3
    attrs = {"group": group, "pads": [k // 2] * 4}
    assert_parity(conv_model(x_shape, w, b, attrs, ACTIVATIONS[act]), x, isa, tmp_path, case=f"{kind}+{act}")


@pytest.mark.parametrize("order", ["add_then_relu", "silu_then_add", "relu_then_add", "add_then_silu", "add"])
@pytest.mark.parametrize("kind", ["general", "depthwise", "pointwise", "direct"])
def test_fused_residual(isa, rng, tmp_path, order, kind):
    # ResNet adds before the activation; YOLO bottlenecks add after it. The
    # pointwise and direct (8 channels: no Winograd; 32 columns: row tiles)
    # paths apply a clamp, a residual and an activation with a residual added
    # first inside the GEMM kernel, the rest after it.
    c = 8 if kind == "direct" else 16
    k, group = {"general": (3, 1), "depthwise": (3, c), "pointwise": (1, 1), "direct": (3, 1)}[kind]
    x_shape = (1, c, 6, 32) if kind == "direct" else (1, c, 9, 10)
    w = rng.standard_normal((c, c // group, k, k)).astype(np.float32) * 0.3
    b = rng.standard_normal(c).astype(np.float32)

    post = _residual(order)

    x = rng.standard_normal(x_shape).astype(np.float32)
    model = conv_model(x_shape, w, b, {"group": group, "pads": [k // 2] * 4}, post)
    assert_parity(model, x, isa, tmp_path, case=f"{kind} {order}")


@pytest.mark.parametrize("k,stride", [(3, 1), (3, 2), (5, 1), (5, 2)])
def test_depthwise_kernel_windows(isa, rng, tmp_path, k, stride):
    # The phase-plane depthwise kernels: widths around the 8- and 16-lane
    # vectors, symmetric and asymmetric padding, fused bias + activation.
    c = 5
    for h, w in ((7, 7), (16, 17), (33, 31)):
        for pads in ([k // 2] * 4, [0, 0, 0, 0], [0, 1, 1, 0], [k // 2, 0, k // 2 + 1, 1]):
            x_shape = (1, c, h, w)
            wt = rng.standard_normal((c, 1, k, k)).astype(np.float32) * 0.5
            b = rng.standard_normal(c).astype(np.float32)
            x = rng.standard_normal(x_shape).astype(np.float32)
            attrs = {"group": c, "strides": [stride, stride], "pads": pads}
            model = conv_model(x_shape, wt, b, attrs, ACTIVATIONS["relu6"])
            assert_parity(model, x, isa, tmp_path, case=f"depthwise {k}x{k}/{stride} x={x_shape} pads={pads}")


@pytest.mark.parametrize("k,stride,dilation", [(3, 1, 2), (5, 1, 2), (3, 2, 2), (5, 2, 3)])
def test_depthwise_dilated(isa, rng, tmp_path, k, stride, dilation):
    # LRASPP-style dilated depthwise layers through the depthwise kernels.
    c, h, w = 4, 19, 23
    pad = (k // 2) * dilation
    wt = rng.standard_normal((c, 1, k, k)).astype(np.float32) * 0.5
    b = rng.standard_normal(c).astype(np.float32)
    x = rng.standard_normal((1, c, h, w)).astype(np.float32)
    attrs = {"group": c, "strides": [stride, stride], "dilations": [dilation, dilation], "pads": [pad] * 4}
    model = conv_model((1, c, h, w), wt, b, attrs, ACTIVATIONS["hardswish"])
    assert_parity(model, x, isa, tmp_path, case=f"depthwise {k}x{k}/{stride} dilation {dilation}")


@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("dilation", [1, 2])
@pytest.mark.parametrize("width", [17, 40, 64, 100])
def test_direct_convolution(isa, rng, tmp_path, stride, dilation, width):
    # Enough output channels (32) that the direct (in-place B) path is chosen
    # over im2col, on maps whose rows fill whole vectors (row tiling: 64) and
    # not (flat tiling), with asymmetric padding, bias, residual and SiLU.
    c_in, c_out, h = 5, 32, 9
    wt = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32) * 0.3
    b = rng.standard_normal(c_out).astype(np.float32)
    x = rng.standard_normal((1, c_in, h, width)).astype(np.float32)
    attrs = {"strides": [stride, stride], "dilations": [dilation, dilation], "pads": [1, 2, 2, 0]}
    assert_parity(conv_model((1, c_in, h, width), wt, b, attrs, _silu), x, isa, tmp_path,
                  case=f"direct s={stride} d={dilation} w={width}")


def test_tall_dilated_window(isa, rng, tmp_path):
    # A dilation far taller than the input (a fuzzed model's shape, scaled
    # down): the direct path's band copies would repeat the padded input for
    # every output row, so the layer runs im2col (the replayed fuzz file in
    # tests/fuzz_regressions/ is the timing case); here, its results.
    c_in, c_out = 3, 40
    wt = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32)
    b = rng.standard_normal(c_out).astype(np.float32)
    x = rng.standard_normal((1, c_in, 8, 8)).astype(np.float32)
    attrs = {"strides": [2, 2], "dilations": [2000, 2], "pads": [2, 2, 4100, 2]}
    assert_parity(conv_model((1, c_in, 8, 8), wt, b, attrs, ACTIVATIONS["relu"]), x, isa, tmp_path,
                  case="tall dilated window 3->40 dilations (2000, 2)")
    # Depthwise: the channel-lane kernel's bands would each fill the window's
    # 600-row reach (2708 bands), so the plane kernels run instead.
    wt = rng.standard_normal((16, 1, 3, 3)).astype(np.float32)
    x = rng.standard_normal((1, 16, 8, 8)).astype(np.float32)
    attrs = {"group": 16, "dilations": [300, 300], "pads": [300, 300, 3000, 300]}
    assert_parity(conv_model((1, 16, 8, 8), wt, None, attrs, ACTIVATIONS["relu"]), x, isa, tmp_path,
                  case="tall dilated depthwise window, dilation 300")


@pytest.mark.parametrize("c_in,c_out", [(1, 1), (7, 47), (33, 48), (120, 49), (1152, 100)])
def test_one_pixel_maps(isa, rng, tmp_path, c_in, c_out):
    # 1x1 convolution of a 1x1 map (squeeze-and-excitation): the GEMV path,
    # output channels around the kernel's panel width (8, 16, 48), batch 2,
    # with and without bias, activation and a residual.
    wt = rng.standard_normal((c_out, c_in, 1, 1)).astype(np.float32) * (1.0 / c_in) ** 0.5
    x = rng.standard_normal((2, c_in, 1, 1)).astype(np.float32)
    for b, post, name in ((rng.standard_normal(c_out).astype(np.float32), ACTIVATIONS["sigmoid"], "bias sigmoid"),
                          (None, None, "plain")):
        assert_parity(conv_model((2, c_in, 1, 1), wt, b, {}, post), x, isa, tmp_path,
                      case=f"one pixel {c_in}->{c_out} {name}")
    if c_in == c_out:
        assert_parity(conv_model((2, c_in, 1, 1), wt, None, {}, _residual("add_then_relu")), x, isa, tmp_path,
                      case=f"one pixel {c_in}->{c_out} residual")


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("c_out", [128, 150])
def test_direct_channel_lanes(isa, rng, tmp_path, c_out, threads):
    # At least 128 output channels: the direct path runs the channel-lane
    # kernel on AVX-512 (k blocks of taps into T, transposed into the band's
    # rows): a partial last 48-channel panel (150), depths across several k
    # blocks (40 x 9 taps), stride 2 and 1 (5x5, dilated), odd maps (several
    # bands per thread), batch 2, bias and activation.
    c_in = 40
    for k, stride, dilation, h, w in ((3, 2, 1, 21, 30), (5, 1, 1, 11, 13), (3, 1, 2, 9, 17)):
        pad = (k // 2) * dilation
        wt = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32) * 0.1
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((2, c_in, h, w)).astype(np.float32)
        attrs = {"strides": [stride, stride], "dilations": [dilation, dilation], "pads": [pad, pad + 1, pad, pad]}
        assert_parity(conv_model((2, c_in, h, w), wt, b, attrs, ACTIVATIONS["leakyrelu"]), x, isa, tmp_path,
                      num_threads=threads,
                      case=f"direct lanes {c_in}->{c_out} {k}x{k}/{stride} d{dilation} x={h}x{w} threads={threads}")


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("order", ["add_then_relu", "silu_then_add"])
def test_direct_lanes_small_map_batch_and_residual(isa, rng, tmp_path, threads, order):
    # 3x3 on a 7x7 map with 64 channels: one band, the output channels split
    # between the threads, which share one copy of the map (made a share of
    # the channels each) per batch item; a fused residual before or after
    # the activation.
    c = 64
    wt = rng.standard_normal((c, c, 3, 3)).astype(np.float32) * 0.05
    b = rng.standard_normal(c).astype(np.float32)
    x = rng.standard_normal((2, c, 7, 7)).astype(np.float32)
    model = conv_model((2, c, 7, 7), wt, b, {"pads": [1, 1, 1, 1]}, _residual(order))
    assert_parity(model, x, isa, tmp_path, num_threads=threads,
                  case=f"direct lanes 7x7 batch 2 {order} threads={threads}")


@pytest.mark.parametrize("shape", [(7, 7), (14, 14), (5, 9), (3, 3), (28, 28), (32, 32), (34, 34)])
@pytest.mark.parametrize("k,stride", [(1, 1), (3, 1), (3, 2)])
@pytest.mark.parametrize("threads", [1, 2])
def test_channel_lane_small_maps(isa, rng, tmp_path, shape, k, stride, threads):
    # Small maps with many output channels: 1x1 takes the channel-lane GEMM
    # (on tiers that have it), 3x3 the direct path, with channel lanes and
    # one band per thread on AVX-512 (7x7 outputs and smaller; with stride
    # 2 up to 256 pixels: 14x14 and 16x16 from 28 and 32, not 17x17 from
    # 34), else its discarded columns; channels around 16-lane vectors and
    # 48-wide panels (97: a masked last vector; 64: a 16-channel last
    # panel), K past one k block, with bias and a fused ReLU.
    h, w = shape
    for c_in, c_out in ((300, 64), (40, 97), (16, 48)):
        wt = rng.standard_normal((c_out, c_in, k, k)).astype(np.float32) * 0.1
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((1, c_in, h, w)).astype(np.float32)

        def post(y):
            return [helper.make_node("Relu", [y], ["Y"], name="relu")], [], "Y"

        attrs = {"pads": [k // 2] * 4, "strides": [stride, stride]}
        assert_parity(conv_model((1, c_in, h, w), wt, b, attrs, post), x, isa, tmp_path, num_threads=threads,
                      case=f"channel lanes {c_in}->{c_out} {k}x{k}/{stride} map={shape} threads={threads}")


@pytest.mark.parametrize("threads", [1, 2])
def test_channel_lane_pointwise_batch(isa, rng, tmp_path, threads):
    # The channel-lane GEMM reads a 1x1 convolution's input in place, image
    # by image: batch 2, K past one k block, a partial last weight panel.
    for (h, w), c_in, c_out in (((7, 7), 300, 97), ((14, 14), 1024, 144)):
        wt = rng.standard_normal((c_out, c_in, 1, 1)).astype(np.float32) * 0.05
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((2, c_in, h, w)).astype(np.float32)
        assert_parity(conv_model((2, c_in, h, w), wt, b, {}, ACTIVATIONS["relu"]), x, isa, tmp_path,
                      num_threads=threads, case=f"batch-2 1x1 {c_in}->{c_out} map={h}x{w} threads={threads}")


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_pointwise_large_weights(isa, rng, tmp_path, threads):
    # 1x1 layers whose weights exceed half of a 1 MiB L2 (ResNet-50's at
    # 14x14): at 14x14 the channel-lane GEMM (where the tier has it), with
    # 6 or 11 weight panels of 48 split in near-equal chunks across 1-3
    # threads; at 20x20 the pixel tiles with the weight panels outermost.
    # Channel counts leave a partial last panel; a fused residual and ReLU
    # run in both orders of the loops. Stride 2 (ResNet's downsampling, 28x28
    # to 14x14): gathered pixel tiles at one thread, the channel lanes over
    # im2col blocks at two and three.
    cases = (((14, 14), 1024, 256, "relu", 1), ((14, 14), 256, 520, "relu", 1), ((20, 20), 256, 600, "relu", 1),
             ((14, 14), 512, 512, "add_then_relu", 1), ((20, 20), 384, 384, "add_then_relu", 1),
             ((28, 28), 512, 520, "relu", 2), ((27, 27), 512, 512, "relu", 2))
    for (h, w), c_in, c_out, post, stride in cases:
        wt = rng.standard_normal((c_out, c_in, 1, 1)).astype(np.float32) * 0.05
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((1, c_in, h, w)).astype(np.float32)
        tail = ACTIVATIONS["relu"] if post == "relu" else _residual(post)
        attrs = {"strides": [stride, stride]}
        assert_parity(conv_model((1, c_in, h, w), wt, b, attrs, tail), x, isa, tmp_path, num_threads=threads,
                      case=f"large-weight 1x1/{stride} {c_in}->{c_out} {post} map={h}x{w} threads={threads}")


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_pointwise_large_maps(isa, rng, tmp_path, threads):
    # 1x1 layers whose input or output exceeds L2 (over 2 MiB here, so on
    # any L2 up to that size): pixel bands of up to 2048 pixels, each weight
    # panel sweeping its band, the first panel requesting the next tile's
    # rows where the input is the large one. Maps that are not a multiple
    # of the pixel tile, output channels that leave a partial weight panel,
    # a fused residual + ReLU and a SiLU (in the kernel), a stride-2 1x1
    # (gathered first), a grouped one, and a small input (445 KiB) with a
    # large output (4 MiB).
    cases = (((190, 190), 16, 37, "relu", 1, 1), ((181, 183), 16, 16, "add_then_relu", 1, 1),
             ((97, 101), 64, 24, "silu", 1, 1), ((380, 381), 16, 40, "relu", 2, 1),
             ((210, 212), 32, 48, "relu", 1, 2), ((60, 58), 32, 300, "relu", 1, 1))
    for (h, w), c_in, c_out, post, stride, groups in cases:
        wt = rng.standard_normal((c_out, c_in // groups, 1, 1)).astype(np.float32) * 0.2
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((1, c_in, h, w)).astype(np.float32)
        tail = ACTIVATIONS[post] if post in ACTIVATIONS else _residual(post)
        attrs = {"strides": [stride, stride], "group": groups}
        assert_parity(conv_model((1, c_in, h, w), wt, b, attrs, tail), x, isa, tmp_path, num_threads=threads,
                      case=f"large-map 1x1/{stride} g{groups} {c_in}->{c_out} {post} map={h}x{w} threads={threads}")


@pytest.mark.parametrize("c_in,c_out", [(16, 16), (17, 33), (40, 24)])
def test_winograd_tiles(isa, rng, tmp_path, c_in, c_out):
    # 3x3 stride 1 with >= 16 channels each way: the Winograd F(2x2, 3x3) path
    # on tiers with vector transforms (AVX-512), direct elsewhere. Odd and
    # even sizes (partial 2x2 tiles at the bottom and right), tile rows of
    # 15/16/17/32/33 tiles (around the 16-tile vector step) and of 5 tiles
    # (48-tile blocks then span several tile rows), every padding kind, batch 2.
    sizes = [(1, 1), (2, 3), (9, 10), (7, 31), (4, 32), (5, 33), (3, 64), (3, 66), (11, 9)]
    pads_list = ([1, 1, 1, 1], [0, 0, 0, 0], [2, 0, 1, 2], [0, 1, 1, 0])
    for i, (h, w) in enumerate(sizes):
        pads = pads_list[i % len(pads_list)]
        if h + pads[0] + pads[2] < 3 or w + pads[1] + pads[3] < 3:
            pads = [1, 1, 1, 1]
        wt = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32) * 0.3
        b = rng.standard_normal(c_out).astype(np.float32) if i % 3 else None
        x = rng.standard_normal((2, c_in, h, w)).astype(np.float32)
        assert_parity(conv_model((2, c_in, h, w), wt, b, {"pads": pads}), x, isa, tmp_path,
                      case=f"winograd {c_in}->{c_out} x={h}x{w} pads={pads} bias={b is not None}")


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("order", [None, "add_then_relu", "silu_then_add"])
def test_winograd_small_maps(isa, rng, tmp_path, threads, order):
    # 3x3 stride 1 on maps of at most 64 pixels whose 2x2 tiles fill a
    # vector (7x7, 7x8, 8x8: 16 tiles) with >= 128 channels each way: Winograd
    # F(2x2) instead of the direct channel lanes on tiers with the
    # transforms; with 2+ threads the threads split the output channels and
    # share the input transform. 130 output channels (a partial last weight
    # panel, uneven chunks), 136 with a residual (the input is added), batch
    # 2, bias, fused activation or residual. 6x6 (9 tiles) stays direct.
    c_in, c_out = (136, 136) if order else (144, 130)
    post = _residual(order) if order else ACTIVATIONS["relu6"]
    for h, w, pads in ((7, 7, [1, 1, 1, 1]), (7, 8, [1, 1, 1, 1]), (8, 8, [1, 2, 1, 0]), (6, 6, [1, 1, 1, 1])):
        wt = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32) * 0.05
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((2, c_in, h, w)).astype(np.float32)
        assert_parity(conv_model((2, c_in, h, w), wt, b, {"pads": pads}, post), x, isa, tmp_path, num_threads=threads,
                      case=f"winograd small map {c_in}->{c_out} x={h}x{w} pads={pads} {order} threads={threads}")


@pytest.mark.parametrize("threads", [2, 3])
def test_winograd_channel_split_few_channels(isa, rng, tmp_path, threads):
    # Winograd layers of at most 16 tiles on several threads split the
    # output channels, whatever took them to Winograd: here fewer than 32
    # output channels (no channel lanes), so no more weight panels than
    # tasks (20 channels: 3 panels of 8 rows on AVX-512, the last partial),
    # and 1 to 16 tiles.
    for c_in, c_out, h, w in ((24, 20, 7, 7), (17, 30, 5, 5), (16, 16, 1, 1), (40, 9, 8, 8)):
        wt = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32) * 0.2
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((2, c_in, h, w)).astype(np.float32)
        assert_parity(conv_model((2, c_in, h, w), wt, b, {"pads": [1, 1, 1, 1]}, ACTIVATIONS["relu"]), x, isa,
                      tmp_path, num_threads=threads,
                      case=f"winograd channel split {c_in}->{c_out} x={h}x{w} threads={threads}")


@pytest.mark.parametrize("threads", [2, 3])
def test_winograd_channel_split_up_to_64_tiles(isa, rng, tmp_path, threads):
    # On several threads, Winograd layers of up to 64 tiles split the output
    # channels with all tiles in one block, past the 48-tile blocks of the
    # tile split: F(2x2) (maps under 16) with 25, 49, 63 and 64 tiles,
    # F(4x4) (where the tier has it) with 20, 49 and 64; 72 tiles (32x33)
    # split the tiles. Batch 2, a partial last weight panel (20 channels).
    for h, w in ((9, 9), (14, 14), (13, 17), (15, 16), (16, 17), (28, 28), (32, 32), (32, 33)):
        wt = rng.standard_normal((20, 24, 3, 3)).astype(np.float32) * 0.2
        b = rng.standard_normal(20).astype(np.float32)
        x = rng.standard_normal((2, 24, h, w)).astype(np.float32)
        assert_parity(conv_model((2, 24, h, w), wt, b, {"pads": [1, 1, 1, 1]}, ACTIVATIONS["relu"]), x, isa,
                      tmp_path, num_threads=threads,
                      case=f"winograd channel split 24->20 x={h}x{w} threads={threads}")


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("c_in,c_out", [(16, 24), (33, 17)])
def test_winograd_4x4_tiles(isa, rng, tmp_path, c_in, c_out, threads):
    # Maps of at least 16 x 16 take F(4x4, 3x3) where the tier has it
    # (scalar, AVX-512): heights and widths of every remainder mod 4, tile
    # rows of 15/16/17 tiles (around the 16-tile vector step) and widths past
    # 64 columns (the row's columns 64 and 65 are shifted in separately).
    # On AVX-512 one thread runs maps under 32 x 32 with these channel
    # counts as F(2x2) instead. Each thread's share of the tiles goes in
    # blocks that fill whole vectors but for a lane, and a shorter last one:
    # 132 tiles (16 x 130) and 162 (33 x 70) are 47 + 47 + 38 / 47 + 47 + 47
    # + 21 at one thread, 47 + 19 / 47 + 34 at two, 44 / 31 + 23 at three.
    sizes = [(16, 16), (17, 18), (19, 61), (18, 64), (16, 66), (21, 68), (16, 130), (33, 70)]
    pads_list = ([1, 1, 1, 1], [0, 0, 0, 0], [2, 0, 1, 2], [0, 1, 1, 0])
    for i, (h, w) in enumerate(sizes):
        pads = pads_list[i % len(pads_list)]
        wt = rng.standard_normal((c_out, c_in, 3, 3)).astype(np.float32) * 0.3
        b = rng.standard_normal(c_out).astype(np.float32) if i % 2 else None
        x = rng.standard_normal((1, c_in, h, w)).astype(np.float32)
        assert_parity(conv_model((1, c_in, h, w), wt, b, {"pads": pads}), x, isa, tmp_path, num_threads=threads,
                      case=f"winograd 4x4 {c_in}->{c_out} x={h}x{w} pads={pads} bias={b is not None} "
                           f"threads={threads}")


@pytest.mark.parametrize("order", ["add_then_relu", "silu_then_add"])
def test_winograd_fused_epilogue(isa, rng, tmp_path, order):
    # Residual and activation applied per block segment (tile rows that end
    # mid-row), with 2x2 tiles (13 x 21) and 4x4 tiles (19 x 37).
    c = 24
    wt = rng.standard_normal((c, c, 3, 3)).astype(np.float32) * 0.2
    b = rng.standard_normal(c).astype(np.float32)

    post = _residual(order)

    for h, w in ((13, 21), (19, 37)):
        x = rng.standard_normal((1, c, h, w)).astype(np.float32)
        assert_parity(conv_model((1, c, h, w), wt, b, {"pads": [1, 1, 1, 1]}, post), x, isa, tmp_path,
                      case=f"winograd {order} x={h}x{w}")


@pytest.mark.parametrize("k,stride,dilation", [(3, 1, 1), (3, 2, 1), (5, 1, 1), (5, 2, 1), (3, 1, 2)])
def test_depthwise_channel_lanes(isa, rng, tmp_path, k, stride, dilation):
    # AVX-512 runs depthwise 16 channels per call (the channel-lane kernel,
    # in bands of output rows on large maps; not 3x3/2 with outputs 24 or
    # more wide); the other tiers plane by plane.
    # Channel counts around 16 (a partial last group), batch 2 (groups never
    # straddle images), maps narrower than a vector, spanning rows per
    # 16-pixel chunk, and tall enough for several bands (61 x 70: ~70
    # elements a row, 14 rows a band), asymmetric padding; the epilogue
    # inside the kernel (activation alone) and after it (residual first).
    pad = (k // 2) * dilation
    shapes = ((7, 7), (8, 5), (2, 3), (15, 16), (14, 14), (33, 18), (61, 70))
    for c, (h, w) in [(c, hw) for c in (1, 15, 16, 17, 33) for hw in shapes[:5]] + [(17, hw) for hw in shapes[5:]]:
        pads = [pad, pad + 1 if h % 2 else pad, pad, pad] if stride == 2 else [pad] * 4
        out_h = (h + pads[0] + pads[2] - dilation * (k - 1) - 1) // stride + 1
        out_w = (w + pads[1] + pads[3] - dilation * (k - 1) - 1) // stride + 1
        if out_h < 1 or out_w < 1:
            continue
        wt = rng.standard_normal((c, 1, k, k)).astype(np.float32) * 0.5
        b = rng.standard_normal(c).astype(np.float32)
        x = rng.standard_normal((2, c, h, w)).astype(np.float32)
        attrs = {"group": c, "strides": [stride, stride], "dilations": [dilation, dilation], "pads": pads}
        # same shape at stride 1: a residual add fuses too
        for post_name in (("add_then_relu", "silu_then_add", "silu") if stride == 1 else ("relu6", "silu")):
            post = _residual(post_name) if "_then_" in post_name else ACTIVATIONS[post_name]
            model = conv_model((2, c, h, w), wt, b, attrs, post)
            assert_parity(model, x, isa, tmp_path,
                          case=f"depthwise {k}x{k}/{stride} d{dilation} c={c} x={h}x{w} pads={pads} {post_name}")


@pytest.mark.parametrize("strides", [(2, 2), (2, 1), (3, 2)])
def test_strided_pointwise(isa, rng, tmp_path, strides):
    # 1x1 with stride (ResNet downsampling): the strided pixels are gathered
    # into scratch and run as a pointwise convolution; maps above 64 output
    # pixels (smaller ones take the channel-lane path), odd sizes, batch 2,
    # channel counts around the 8-row tile, fused ReLU.
    for c_in, c_out, h, w in ((16, 33, 29, 30), (7, 24, 23, 41), (40, 8, 20, 20)):
        wt = rng.standard_normal((c_out, c_in, 1, 1)).astype(np.float32)
        b = rng.standard_normal(c_out).astype(np.float32)
        x = rng.standard_normal((2, c_in, h, w)).astype(np.float32)
        model = conv_model((2, c_in, h, w), wt, b, {"strides": list(strides)}, ACTIVATIONS["relu"])
        assert_parity(model, x, isa, tmp_path, case=f"1x1 stride {strides} {c_in}->{c_out} x={h}x{w}")


def squeeze_excitation_model(x_shape, w, b, rng, shared_scale=False, post=None):
    """X · S into the 1x1 Conv(W, B), S = Sigmoid(Conv(Relu(Conv(GlobalAveragePool(X))))):
    one scale per batch item, or item 0's for every item (shared_scale)."""
    c, hidden = x_shape[1], 4
    inits = {"Wr": rng.standard_normal((hidden, c, 1, 1)).astype(np.float32),
             "We": rng.standard_normal((c, hidden, 1, 1)).astype(np.float32), "W": w, "B": b}
    n = helper.make_node
    nodes = [n("GlobalAveragePool", ["X"], ["g"]), n("Conv", ["g", "Wr"], ["r"]), n("Relu", ["r"], ["rr"]),
             n("Conv", ["rr", "We"], ["e"]), n("Sigmoid", ["e"], ["s"])]
    scale = "s"
    if shared_scale:
        inits.update(s0=np.array([0]), s1=np.array([1]))
        nodes.append(n("Slice", ["s", "s0", "s1", "s0"], ["s_first"]))
        scale = "s_first"
    nodes += [n("Mul", ["X", scale], ["m"]), n("Conv", ["m", "W", "B"], ["Y0"], name="conv")]
    last = "Y0"
    if post is not None:
        extra_nodes, _, last = post("Y0")
        nodes += extra_nodes
    graph = helper.make_graph(nodes, "se", [helper.make_tensor_value_info("X", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info(last, TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(v, k) for k, v in inits.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


@pytest.mark.parametrize("threads", [1, 2])
def test_channel_scale_folded_into_pointwise_weights(isa, rng, tmp_path, threads):
    # The squeeze-and-excitation Mul fused into the 1x1 conv (its weights'
    # K rows scaled per inference): output channels around the GEMM tile
    # heights (avx512 8, avx2 6, scalar 4) and one below the pixel count,
    # maps of one and several pixel tiles, batch 2 with a scale per item or
    # one shared, a fused ReLU or residual.
    cases = [(15, 1, 5, 7, 1, False, None), (16, 8, 5, 7, 2, False, "relu"), (17, 9, 6, 6, 2, True, None),
             (33, 33, 5, 8, 1, False, "add"), (24, 48, 7, 7, 2, False, None), (64, 24, 28, 28, 2, False, "relu"),
             (40, 40, 12, 20, 2, True, "add_then_relu")]
    for c_in, c_out, h, w, batch, shared, post_name in cases:
        wt = (rng.standard_normal((c_out, c_in, 1, 1)) / np.sqrt(c_in)).astype(np.float32)
        b = rng.standard_normal(c_out).astype(np.float32)
        post = None if post_name is None else ACTIVATIONS.get(post_name) or _residual(post_name)
        model = squeeze_excitation_model((batch, c_in, h, w), wt, b, rng, shared, post)
        case = f"SE 1x1 {c_in}->{c_out} x={batch}x{h}x{w} shared={shared} post={post_name} threads={threads}"
        fused = [n for n in read_ecnn(edgecnn.convert(model, None).data).nodes if n.op_type == "Conv"]
        assert len(fused[-1].inputs) == 5 and fused[-1].inputs[4] >= 0, f"{case}: the Mul was not fused"
        x = rng.standard_normal((batch, c_in, h, w)).astype(np.float32)
        assert_parity(model, x, isa, tmp_path, case=case, num_threads=threads)


# A Conv with a channel scale S the format does not allow, on a (2, 3, 5, 5)
# input: (weight shape, attributes, S shape, the error's words). The OpenVINO
# backend rejects the same files (tests/test_backend_openvino.py).
CHANNEL_SCALE_ERRORS = [
    ((4, 3, 3, 3), {"pads": [1, 1, 1, 1]}, (1, 3, 1, 1), "ungrouped 1x1"),
    ((4, 3, 1, 1), {"strides": [2, 2]}, (1, 3, 1, 1), "ungrouped 1x1"),
    ((3, 1, 1, 1), {"group": 3}, (1, 3, 1, 1), "ungrouped 1x1"),
    ((4, 3, 1, 1), {}, (1, 4, 1, 1), r"channel scale input \[1, 4, 1, 1\]"),
    ((4, 3, 1, 1), {}, (3, 3, 1, 1), r"must have shape \[1 or 2, 3, 1, 1\]"),
    ((4, 3, 1, 1), {}, (1, 3), "channel scale input"),
]


def channel_scale_conv(weights, attrs, scale_shape) -> bytes:
    w = np.ones(weights, np.float32)
    return single_node_ecnn("Conv", (2, 3, 5, 5), attrs, [w, None, None, np.ones(scale_shape, np.float32)])


@pytest.mark.parametrize("weights, attrs, scale_shape, match", CHANNEL_SCALE_ERRORS)
def test_channel_scale_input_is_validated_at_load(weights, attrs, scale_shape, match):
    with pytest.raises(edgecnn.ModelFormatError, match=match):
        edgecnn.load(channel_scale_conv(weights, attrs, scale_shape), num_threads=1)
