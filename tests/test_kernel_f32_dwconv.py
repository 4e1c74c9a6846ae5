"""The depthwise kernels (kernels/f32_dwconv.inc) of every ISA tier against a
float64 numpy reference, at vector-width boundaries (widths around 8 and 16
lanes and their multiples, -1, +0, +1, over both the flat and the row-wise
forms), with every padding from none to more than the window, symmetric and
not, and dilations."""

import numpy as np
import pytest

import edgecnn

WINDOWS = [(3, 1), (3, 2), (5, 1), (5, 2)]


def reference(x, w, bias, s, pads, d=1):
    k = w.shape[0]
    t, l, b, r = pads
    xp = np.pad(x.astype(np.float64), ((t, b), (l, r)))
    span = (k - 1) * d + 1
    oh = (xp.shape[0] - span) // s + 1
    ow = (xp.shape[1] - span) // s + 1
    y = np.full((oh, ow), float(bias))
    for ky in range(k):
        for kx in range(k):
            y += w[ky, kx] * xp[ky * d:ky * d + s * (oh - 1) + 1:s, kx * d:kx * d + s * (ow - 1) + 1:s]
    return y


def check(isa, k, s, h, wd, pads, rng, d=1, clamp=None, nan_at=None):
    x = rng.standard_normal((h, wd)).astype(np.float32)
    if nan_at is not None:
        x[nan_at] = np.nan
    w = rng.standard_normal((k, k)).astype(np.float32)
    bias = float(rng.standard_normal())
    bounds = {} if clamp is None else {"lo": clamp[0], "hi": clamp[1]}
    got = edgecnn._core.kernel_f32_dwconv(isa, k, s, x, w, bias, list(pads), d, **bounds)
    ref = reference(x, w, bias, s, pads, d)
    if clamp is not None:
        ref = np.clip(ref, clamp[0], clamp[1])  # a NaN stays NaN
    name = edgecnn._core.f32_dwconv_kernel_name(isa, k, s)
    case = f"{name} x=({h},{wd}) pads={pads} dilation={d} clamp={clamp} nan_at={nan_at}"
    assert got.shape == ref.shape, f"{case}: shape {got.shape} != {ref.shape}"
    # k*k + 1 fp32 terms of magnitude ~|x||w|: a few ulps of the largest.
    same = (got == ref) | (np.isnan(got) & np.isnan(ref))  # also infinities and NaN
    err = np.where(same, 0.0, np.abs(np.where(same, 0.0, got) - np.where(same, 0.0, ref)))
    tol = 1e-5 * k * max(1.0, float(np.abs(ref).max()))
    assert err.max() <= tol, f"{case}: |diff| {err.max():.3g} at {np.unravel_index(int(err.argmax()), err.shape)}"


@pytest.mark.parametrize("k,s", WINDOWS)
def test_width_boundaries(isa, k, s, rng):
    # Output widths around one and two vectors of 8 and 16 lanes, the switch
    # from flat to row-wise kernels (AVX-512: 12 wide for stride 2, 14 for
    # stride 1) and their 4-vector main loop.
    # The row-wise kernel keeps the masks of up to 64 strips (1024 columns)
    # at a time: widths around that, and past two such groups.
    for ow in (1, 2, 7, 8, 9, 11, 12, 13, 14, 15, 16, 17, 23, 24, 25, 31, 32, 33, 63, 64, 65, 80, 81, 96, 127, 130,
               1023, 1024, 1025, 2100):
        for pad in (0, k // 2):
            wd = (ow - 1) * s + k - 2 * pad
            if wd < 1:
                continue
            check(isa, k, s, 5 + s, wd, (pad, pad, pad, pad), rng)


@pytest.mark.parametrize("k,s", WINDOWS)
def test_output_clamp(isa, k, s, rng):
    # The store clamp (a fused ReLU or Clip) on both forms: flat below the
    # row-wise widths, rows from them (AVX-512: 12 for stride 2, 14 for
    # stride 1), with partial strips; a NaN input stays NaN in its outputs.
    inf = float("inf")
    for clamp in ((0.0, inf), (0.0, 6.0), (-0.5, 0.25), (-inf, inf)):
        for ow in (7, 11, 13, 14, 16, 17, 33):
            pad = k // 2
            wd = (ow - 1) * s + k - 2 * pad
            check(isa, k, s, 9, wd, (pad,) * 4, rng, clamp=clamp)
            check(isa, k, s, 9, wd, (pad,) * 4, rng, clamp=clamp, nan_at=(4, wd // 2))


@pytest.mark.parametrize("k,s", WINDOWS)
def test_paddings(isa, k, s, rng):
    for pads in [(0, 0, 0, 0), (1, 1, 1, 1), (2, 2, 2, 2), (0, 1, 1, 0), (1, 0, 0, 1), (2, 0, 1, 2),
                 (k, k, k, k), (k + 1, 0, 0, k + 1), (0, 3, 2, 0)]:
        # (9, 60) and (30, 50): wide enough for the row-wise kernels, whose
        # top and bottom blocks skip the padding rows.
        for h, wd in ((k, k), (k + 1, k + 2), (9, 14), (13, 11), (9, 60), (30, 50)):
            if h + pads[0] + pads[2] >= k and wd + pads[1] + pads[3] >= k:
                check(isa, k, s, h, wd, pads, rng)


@pytest.mark.parametrize("k,s", WINDOWS)
@pytest.mark.parametrize("d", [2, 3])
def test_dilations(isa, k, s, d, rng):
    span = (k - 1) * d + 1
    for h, wd in ((span, span), (span + 1, span + 2), (20, 33), (33, 17)):
        for pads in ((0, 0, 0, 0), (d, d, d, d), ((k // 2) * d,) * 4, (1, 0, 2, 3)):
            check(isa, k, s, h, wd, pads, rng, d)


@pytest.mark.parametrize("k,s", WINDOWS)
def test_random_planes(isa, k, s, rng):
    for _ in range(15):
        h, wd = (int(v) for v in rng.integers(1, 60, size=2))
        pads = tuple(int(v) for v in rng.integers(0, k + 1, size=4))
        if h + pads[0] + pads[2] >= k and wd + pads[1] + pads[3] >= k:
            check(isa, k, s, h, wd, pads, rng)


def test_kernel_names_say_isa_and_window(isa):
    for k, s in WINDOWS:
        name = edgecnn._core.f32_dwconv_kernel_name(isa, k, s)
        assert name == f"f32_dwconv_{k}x{k}s{s}__{isa}", name


# The channel-lane kernels (kernels/f32_dwconv_lanes.inc): up to 16 channels
# per call, each against the float64 reference above. Tiers without one
# must report none (the op then runs the per-plane kernels tested above).
ACT_REFERENCE = {0: lambda y: y, 1: lambda y: np.maximum(y, 0.0), 2: lambda y: np.clip(y, 0.0, 6.0),
                 4: lambda y: y / (1.0 + np.exp(-y))}


def check_lanes(isa, k, s, c, h, wd, pads, rng, d=1, act=0):
    x = rng.standard_normal((c, h, wd)).astype(np.float32)
    w = rng.standard_normal((c, k, k)).astype(np.float32)
    bias = rng.standard_normal(c).astype(np.float32)
    got = edgecnn._core.kernel_f32_dwconv_lanes(isa, k, s, x, w, bias, list(pads), d, act)
    name = edgecnn._core.f32_dwconv_lanes_kernel_name(isa)
    for j in range(c):
        ref = ACT_REFERENCE[act](reference(x[j], w[j], bias[j], s, pads, d))
        case = f"{name} k={k} s={s} channel {j}/{c} x=({h},{wd}) pads={pads} dilation={d} activation={act}"
        assert got[j].shape == ref.shape, f"{case}: shape {got[j].shape} != {ref.shape}"
        err = np.abs(got[j] - ref)
        tol = 1e-5 * k * max(1.0, float(np.abs(ref).max()))
        assert err.max() <= tol, f"{case}: |diff| {err.max():.3g} at {np.unravel_index(int(err.argmax()), err.shape)}"


def lanes_or_none(isa):
    name = edgecnn._core.f32_dwconv_lanes_kernel_name(isa)
    if name is None:
        with pytest.raises(ValueError, match="no channel-lane kernel"):
            edgecnn._core.kernel_f32_dwconv_lanes(isa, 3, 1, np.zeros((1, 3, 3), np.float32),
                                                   np.zeros((1, 3, 3), np.float32), np.zeros(1, np.float32),
                                                   [1, 1, 1, 1])
    return name


@pytest.mark.parametrize("k,s", WINDOWS)
def test_lanes_width_boundaries(isa, k, s, rng):
    # Output widths around 16 (rows of exactly out_w up to 16, the flat index
    # past it) and around 8 (undilated rows as one segment of up to 8
    # elements, or two), input widths around 16 and 32 (a flat fill of narrow
    # planes, 16*s-pixel row chunks and their partial tails), channel counts
    # around the 16 lanes, every activation the kernel applies inside.
    if lanes_or_none(isa) is None:
        return
    for ow in (1, 2, 7, 8, 9, 15, 16, 17, 31, 33):
        for pad in (0, k // 2):
            wd = (ow - 1) * s + k - 2 * pad
            if wd < 1:
                continue
            for c, act in ((1, 0), (15, 1), (16, 4), (9, 2)):
                check_lanes(isa, k, s, c, 4 + s, wd, (pad, pad, pad, pad), rng, act=act)


@pytest.mark.parametrize("k,s", WINDOWS)
def test_lanes_paddings_and_dilations(isa, k, s, rng):
    # Asymmetric and oversized padding (whole padding rows and columns of
    # the phase planes), inputs taller than any window reads (rows the fill
    # must skip), dilations 2 and 3.
    if lanes_or_none(isa) is None:
        return
    for pads in ((0, 0, 0, 0), (1, 0, 0, 1), (2, 0, 1, 2), (k, k, k, k), (0, 3, 2, 0)):
        for h, wd in ((k, k), (9, 14), (13, 40), (3 + k, 33)):
            if h + pads[0] + pads[2] >= k and wd + pads[1] + pads[3] >= k:
                check_lanes(isa, k, s, 16, h, wd, pads, rng)
    for d in (2, 3):
        span = (k - 1) * d + 1
        for h, wd in ((span, span), (20, 33), (33, 17)):
            check_lanes(isa, k, s, 11, h, wd, ((k // 2) * d,) * 4, rng, d=d, act=1)
