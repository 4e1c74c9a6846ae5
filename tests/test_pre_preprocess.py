"""Pre-processing (csrc/pre) against the numpy reference: frame placement,
bilinear resampling, channel order and normalisation, strided views."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edgecnn
from reference import preprocess as ref

core = edgecnn._core

# Pixel units (0-255). The C++ maps coordinates in float32, the reference in
# float64: at most ~0.01 of a pixel value apart; half-pixel or tap mistakes
# are off by tens.
TOL = 0.05

SIZES = [
    ((1, 1), (64, 64)),  # 1x1 frame
    ((37, 53), (64, 64)),  # odd
    ((1000, 7), (96, 96)),  # tall extreme
    ((5, 900), (96, 96)),  # wide extreme
    ((20, 30), (160, 224)),  # upscale
    ((480, 640), (96, 128)),  # downscale
    ((73, 73), (40, 56)),  # square frame, non-square target
    ((2, 3), (1, 1)),  # 1x1 target
]


def normalized_tolerance(std):
    return TOL / 255 / float(np.min(std))


def check(frame, out_hw, letterbox, rng_or_opts):
    if isinstance(rng_or_opts, dict):
        opts = rng_or_opts
    else:
        rng = rng_or_opts
        opts = dict(
            pad_value=float(rng.integers(0, 256)),
            swap_rb=bool(rng.integers(2)),
            mean=tuple(rng.uniform(0, 1, 3)),
            std=tuple(rng.uniform(0.2, 1, 3)),
        )
    args = (out_hw[0], out_hw[1], letterbox, opts["pad_value"], opts["swap_rb"], opts["mean"], opts["std"])
    got, transform = core.preprocess(frame, *args)
    want, want_transform = ref.preprocess(np.ascontiguousarray(frame), *args)
    assert got.shape == want.shape and got.dtype == np.float32
    assert transform == pytest.approx(want_transform, rel=1e-12)
    np.testing.assert_allclose(got, want, rtol=0, atol=normalized_tolerance(opts["std"]), err_msg=f"{frame.shape} -> {out_hw} {opts}")
    return got


@pytest.mark.parametrize("letterbox", [False, True], ids=["resize", "letterbox"])
@pytest.mark.parametrize("frame_hw,out_hw", SIZES, ids=[f"{f[0]}x{f[1]}-to-{o[0]}x{o[1]}" for f, o in SIZES])
def test_matches_reference(frame_hw, out_hw, letterbox, rng):
    frame = rng.integers(0, 256, (*frame_hw, 3), dtype=np.uint8)
    check(frame, out_hw, letterbox, rng)


@pytest.mark.parametrize(
    "view",
    [
        lambda f: f[:, ::-1],
        lambda f: f[::2],
        lambda f: f[..., ::-1],
        lambda f: f[::-3, 1::2],
        lambda f: f.transpose(1, 0, 2),
        lambda f: np.broadcast_to(f[:1, :1], (31, 17, 3)),  # zero strides
        lambda f: np.concatenate([f, f[..., :1]], axis=2)[..., :3],  # RGBA rows
        lambda f: np.concatenate([f, f[..., :1]], axis=2)[..., 2::-1],  # BGRA read as RGB
    ],
    ids=["flip-x", "every-2nd-row", "channels-reversed", "mixed-steps", "transposed", "broadcast", "rgba",
         "bgra-reversed"],
)
@pytest.mark.parametrize("letterbox", [False, True], ids=["resize", "letterbox"])
def test_strided_views_are_read_in_place(view, letterbox, rng):
    frame = rng.integers(0, 256, (61, 47, 3), dtype=np.uint8)
    v = view(frame)
    assert not v.flags.c_contiguous
    got = check(v, (48, 64), letterbox, rng)
    opts = (48, 64, letterbox, 114.0, False, (0, 0, 0), (1, 1, 1))
    assert np.array_equal(core.preprocess(v, *opts)[0], core.preprocess(np.ascontiguousarray(v), *opts)[0])
    assert got.shape == (1, 3, 48, 64)


def test_swap_rb_equals_reversed_channels(rng):
    frame = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    opts = (32, 32, True, 114.0)
    norm = ((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    a = core.preprocess(frame, *opts, True, *norm)[0]
    b = core.preprocess(frame[..., ::-1], *opts, False, *norm)[0]
    assert np.array_equal(a, b)


def test_letterbox_border_and_identity_scale():
    frame = np.full((30, 60, 3), 200, np.uint8)
    t, transform = core.preprocess(frame, 64, 64, True, 114.0, False, (0, 0, 0), (1, 1, 1))
    assert transform == (64 / 60, 32 / 30, 0.0, 16.0)
    np.testing.assert_allclose(t[0, :, :16], 114 / 255, rtol=1e-6)
    np.testing.assert_allclose(t[0, :, 48:], 114 / 255, rtol=1e-6)
    np.testing.assert_allclose(t[0, :, 16:48], 200 / 255, rtol=1e-6)
    # Same size, resize: every output pixel is its input pixel.
    frame = np.arange(5 * 7 * 3, dtype=np.uint8).reshape(5, 7, 3)
    t, transform = core.preprocess(frame, 5, 7, False, 0.0, False, (0, 0, 0), (1, 1, 1))
    assert transform == (1.0, 1.0, 0.0, 0.0)
    np.testing.assert_allclose(t[0].transpose(1, 2, 0) * 255, frame, atol=1e-4)


@pytest.mark.parametrize(
    "frame_hw,out_hw",
    [((480, 640), (640, 640)), ((640, 480), (640, 640)), ((5, 1280), (640, 640)), ((3, 2), (3, 3)), ((7, 1), (640, 640)),
     ((1, 10000), (640, 640)), ((720, 1280), (384, 640)), ((17, 13), (32, 48))],
)
def test_letterbox_geometry(frame_hw, out_hw):
    # (5, 1280) -> 640: 5 * 0.5 = 2.5 rounds to even, 2 (Python's round, as Ultralytics).
    frame = np.zeros((*frame_hw, 3), np.uint8)
    _, transform = core.preprocess(frame, *out_hw, True, 114.0, False, (0, 0, 0), (1, 1, 1))
    rh, rw, py, px, want = ref.place_frame(*frame_hw, *out_hw, True)
    assert transform == want
    assert 1 <= rh <= out_hw[0] and 1 <= rw <= out_hw[1]
    assert px == (out_hw[1] - rw) // 2 and py == (out_hw[0] - rh) // 2


@settings(max_examples=60, deadline=None)
@given(
    h=st.integers(1, 40), w=st.integers(1, 40), out_h=st.integers(1, 48), out_w=st.integers(1, 48),
    letterbox=st.booleans(), swap_rb=st.booleans(), seed=st.integers(0, 2**32 - 1),
)
def test_property_matches_reference(h, w, out_h, out_w, letterbox, swap_rb, seed):
    rng = np.random.default_rng(seed)
    frame = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    opts = dict(pad_value=114.0, swap_rb=swap_rb, mean=(0.1, 0.2, 0.3), std=(0.5, 0.25, 1.0))
    check(frame, (out_h, out_w), letterbox, opts)


@pytest.mark.parametrize(
    "frame,args,match",
    [
        (np.zeros((4, 4, 3), np.float32), (8, 8), "uint8"),
        (np.zeros((4, 4, 3), np.int8), (8, 8), "uint8"),
        (np.zeros((4, 4), np.uint8), (8, 8), r"\(H, W, 3\)"),
        (np.zeros((4, 4, 4), np.uint8), (8, 8), r"\(H, W, 3\)"),
        (np.zeros((0, 4, 3), np.uint8), (8, 8), "empty"),
        (np.zeros((4, 4, 3), np.uint8), (0, 8), "at least 1x1"),
        (np.zeros((4, 4, 3), np.uint8), (8, -1), "at least 1x1"),
    ],
)
def test_bad_arguments(frame, args, match):
    with pytest.raises(ValueError, match=match):
        core.preprocess(frame, *args, True, 114.0, False, (0, 0, 0), (1, 1, 1))


@pytest.mark.parametrize("mean,std", [((0, 0, 0), (1, 0, 1)), ((0, float("nan"), 0), (1, 1, 1)), ((0, 0, 0), (1, 1, float("inf")))])
def test_bad_normalisation(mean, std):
    with pytest.raises(ValueError, match="std"):
        core.preprocess(np.zeros((4, 4, 3), np.uint8), 8, 8, True, 114.0, False, mean, std)


def test_too_wide_image_is_rejected():
    # A zero-stride view costs no memory, whatever its width; the blended row
    # of float offsets is limited to int32.
    wide = np.broadcast_to(np.zeros((1, 1, 3), np.uint8), (2, (1 << 27) + 1, 3))
    with pytest.raises(ValueError, match="wide"):
        core.preprocess(wide, 8, 8, True, 114.0, False, (0, 0, 0), (1, 1, 1))


# ------------------------------------------------------------ row kernels


def test_resize_row_kernels_by_tier(isa):
    assert core.resize_row_kernels_name(isa) == f"resize_row_{isa}"


# Lengths at the 8- and 16-lane steps, +-1.
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100])
def test_blend_u8_kernel_matches_reference(isa, n, rng):
    r0, r1 = (rng.integers(0, 256, n, dtype=np.uint8) for _ in range(2))
    w1 = np.float32(rng.random())
    w0 = np.float32(1) - w1
    want = r0.astype(np.float32) * w0 + r1.astype(np.float32) * w1  # two roundings, as the kernels
    got = core.kernel_resize_blend_u8(isa, r0, r1, float(w0), float(w1))
    diff = np.argwhere(got != want)
    assert not len(diff), f"isa={isa} n={n}: elements {diff.ravel()[:8]} differ"


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100])
def test_sample_kernel_matches_reference(isa, n, rng):
    t = rng.standard_normal(257).astype(np.float32) * 100
    at0 = rng.integers(0, len(t), n).astype(np.int32)  # any order: the kernels gather
    at1 = np.minimum(at0 + 3, len(t) - 1).astype(np.int32)
    w1 = rng.random(n).astype(np.float32)
    w0 = (1 - w1).astype(np.float32)
    bias = np.float32(rng.standard_normal())
    want = (t[at0] * w0 + t[at1] * w1) + bias
    got = core.kernel_resize_sample(isa, t, at0, at1, w0, w1, float(bias))
    diff = np.argwhere(got != want)
    assert not len(diff), f"isa={isa} n={n}: outputs {diff.ravel()[:8]} differ"


def test_sample_kernel_hook_checks_offsets():
    t = np.zeros(10, np.float32)
    with pytest.raises(ValueError, match="outside t"):
        core.kernel_resize_sample("scalar", t, np.array([0, 10], np.int32), np.array([1, 1], np.int32),
                                  np.ones(2, np.float32), np.zeros(2, np.float32), 0.0)


@pytest.mark.parametrize("frame_hw,out_hw", SIZES, ids=[f"{f[0]}x{f[1]}-to-{o[0]}x{o[1]}" for f, o in SIZES])
def test_every_tier_writes_the_same_tensor(frame_hw, out_hw, rng):
    # The row kernels round every product on their own: all tiers agree bit
    # for bit, on contiguous frames and on views (blended by the gather loop).
    frame = rng.integers(0, 256, (*frame_hw, 3), dtype=np.uint8)
    opts = (out_hw[0], out_hw[1], True, 114.0, True, (0.485, 0.456, 0.406), (0.229, 0.224, 0.225))
    for f in (frame, frame[::-1, ::-1]):
        want = core.preprocess(f, *opts, isa="scalar")[0]
        for isa in core.available_isas():
            got = core.preprocess(f, *opts, isa=isa)[0]
            diff = np.argwhere(got != want)
            assert not len(diff), f"isa={isa} {frame_hw} -> {out_hw}: {len(diff)} values differ, first at {diff[0]}"
