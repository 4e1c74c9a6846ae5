"""The channel-lane GEMM kernels (kernels/f32_gemm_t.inc) of every ISA tier
against a float64 numpy reference, at tile boundaries: channels around the
8- and 16-lane vectors and the panel height, pixels around the register tile, in
both forms (bias + product, and accumulation into T), with B dense or read
through a row offset table (the indirect form of direct convolution)."""

import numpy as np
import pytest

import edgecnn

# (channels per panel, pixels per tile) of each tier's kernel, from its name.
TILES = {}
for _isa in edgecnn._core.available_isas():
    _mr, _nr = edgecnn._core.f32_gemm_t_kernel_name(_isa).split("_")[3].split("__")[0].split("x")
    TILES[_isa] = (int(_mr), int(_nr))


def check(isa, m, k, n, rng, accumulate):
    w = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    bias = rng.standard_normal(m).astype(np.float32)
    t0 = rng.standard_normal((n, m)).astype(np.float32) if accumulate else None
    got = edgecnn._core.kernel_f32_gemm_t(isa, w, b, bias, t0)
    ref = (w.astype(np.float64) @ b.astype(np.float64)).T + (t0 if accumulate else bias[None, :])
    assert_close(got, ref, k, f"{edgecnn._core.f32_gemm_t_kernel_name(isa)} M={m} K={k} N={n} accumulate={accumulate}")


def assert_close(got, ref, k, case):
    # k fp32 products of magnitude ~1: a few ulps of the largest, growing as sqrt(k).
    tol = 1e-5 * max(1.0, np.sqrt(k)) * max(1.0, float(np.abs(ref).max()))
    err = np.abs(got - ref)
    assert err.max() <= tol, f"{case}: |diff| {err.max():.3g} at {np.unravel_index(int(err.argmax()), err.shape)}"


@pytest.mark.parametrize("accumulate", [False, True])
def test_tile_boundaries(isa, rng, accumulate):
    mr, nr = TILES[isa]
    for m in sorted({1, 7, 8, 9, 15, 16, 17, 31, 32, 33, mr - 1, mr, mr + 1, 2 * mr + 1} - {0}):
        # Tiles of balanced widths: 49 (7x7), 196 (14x14), 3*nr - 1.
        for n in sorted({1, nr - 1, nr, nr + 1, 2 * nr + 1, 3 * nr - 1, 49, 196} - {0}):
            check(isa, m, 7, n, rng, accumulate)


def test_depths(isa, rng):
    for k in (1, 2, 64, 300):
        check(isa, 50, k, 13, rng, False)


def test_kernel_names_say_isa(isa):
    # Tiers without a channel-lane kernel fall back to the one below.
    assert "__" in edgecnn._core.f32_gemm_t_kernel_name(isa)


def check_indirect(isa, m, k, n, rng, accumulate):
    # B row k at base[koff[k]:][:n]: rows that overlap, repeat and run in any order.
    base = rng.standard_normal(4 * n + 40).astype(np.float32)
    koff = rng.integers(0, base.size - n + 1, size=k).astype(np.int64)
    w = rng.standard_normal((m, k)).astype(np.float32)
    bias = rng.standard_normal(m).astype(np.float32)
    t0 = rng.standard_normal((n, m)).astype(np.float32) if accumulate else None
    got = edgecnn._core.kernel_f32_igemm_t(isa, w, base, koff, n, bias, t0)
    b = np.stack([base[o:o + n] for o in koff]).astype(np.float64)
    ref = (w.astype(np.float64) @ b).T + (t0 if accumulate else bias[None, :])
    assert_close(got, ref, k, f"{edgecnn._core.f32_gemm_t_kernel_name(isa)} indirect M={m} K={k} N={n} "
                              f"accumulate={accumulate} koff={koff.tolist()}")


@pytest.mark.parametrize("accumulate", [False, True])
def test_indirect_tile_boundaries(isa, rng, accumulate):
    mr, nr = TILES[isa]
    for m in sorted({1, 16, 17, mr - 1, mr, mr + 1, 2 * mr + 1} - {0}):
        for n in sorted({1, nr - 1, nr, nr + 1, 2 * nr + 1, 40} - {0}):
            check_indirect(isa, m, 9, n, rng, accumulate)


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_channel_gemm_driver(isa, threads, rng):
    """ChannelGemm (ops/gemm_driver.h) on a dense B read in place, Y = W · B + bias
    (row-major, M x N): channels around the panel height and its 16-channel
    steps, K past one and several k blocks, N from one pixel past one column
    block of 256, each thread count."""
    mr, _ = TILES[isa]
    for m, k, n in [(1, 1, 1), (mr, 3, 49), (mr + 1, 300, 7), (2 * mr + 17, 129, 64), (33, 1000, 257),
                    (512, 40, 49), (5, 7, 600)]:
        w = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        bias = rng.standard_normal(m).astype(np.float32)
        gemm = edgecnn._core.F32ChannelGemm(isa, w, n, threads)
        y = np.full((m, n), np.nan, np.float32)
        gemm.run(b, bias, y)
        assert np.isfinite(y).all(), f"{gemm.kernel} M={m} K={k} N={n} threads={threads}: outputs left unwritten"
        ref = w.astype(np.float64) @ b.astype(np.float64) + bias[:, None]
        assert_close(y, ref, k, f"{gemm.kernel} M={m} K={k} N={n} threads={threads}")


def test_channel_gemm_arguments():
    w = np.ones((4, 3), np.float32)
    with pytest.raises(ValueError, match="N >= 1"):
        edgecnn._core.F32ChannelGemm("scalar", w, 0)
    gemm = edgecnn._core.F32ChannelGemm("scalar", w, 5)
    with pytest.raises(ValueError, match=r"F32ChannelGemm.run: expects B \(K, N\)"):
        gemm.run(np.ones((3, 4), np.float32), np.ones(4, np.float32), np.empty((4, 5), np.float32))
