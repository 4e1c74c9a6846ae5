"""The packed f32 GEMM microkernels of every ISA tier against a float64 numpy reference,
at tile boundaries (tile size -1, +0, +1 and multiples) of each kernel, in both
forms (C = bias + A·B and C += A·B), with and without a prefetch hint
(kernels/gemm_prefetch.h: a hint, results must not change); and the
convolution GEMM driver (ops/gemm_driver.h) across its K and N blocks and
thread splits, B packed or read in place."""

import numpy as np
import pytest

import edgecnn

# (mr, nr) of each tier's kernel, read from its name: f32_gemm_<mr>x<nr>__<isa>.
TILES = {}
for _isa in edgecnn._core.available_isas():
    _name = edgecnn._core.f32_gemm_kernel_name(_isa)
    _mr, _nr = _name.split("_")[2].split("__")[0].split("x")
    TILES[_isa] = (int(_mr), int(_nr))


def boundary(t):
    return sorted({1, t - 1, t, t + 1, 2 * t, 2 * t + 1} - {0})


def check(isa, m, k, n, rng, prefetch=False):
    w = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    bias = rng.standard_normal(m).astype(np.float32)
    got = edgecnn._core.kernel_f32_gemm(isa, w, b, bias, prefetch=prefetch)
    ref = w.astype(np.float64) @ b.astype(np.float64) + bias[:, None]
    # fp32 sums of k products: error grows like sqrt(k) * eps * |terms|
    tol = 1e-5 * max(1.0, np.sqrt(k)) * max(1.0, float(np.abs(ref).max()))
    err = np.abs(got - ref)
    at = np.unravel_index(int(err.argmax()), err.shape)
    assert err.max() <= tol, (f"{edgecnn._core.f32_gemm_kernel_name(isa)} M={m} K={k} N={n} prefetch={prefetch}: "
                              f"|diff| {err.max():.3g} at {at}")


@pytest.mark.parametrize("prefetch", [False, True], ids=["plain", "hint"])
@pytest.mark.parametrize("dim", ["m", "n"])
def test_tile_boundaries(isa, dim, prefetch, rng):
    mr, nr = TILES[isa]
    for size in boundary(mr if dim == "m" else nr):
        for k in (1, 3, 17):
            m, n = (size, 5) if dim == "m" else (3, size)
            check(isa, m, k, n, rng, prefetch)
    # Both dimensions at once: whole tiles (the hinted path) beside partial
    # ones; K around 64, where a hinted call starts requesting its C lines
    # (kF32GemmStorePrefetchMinK). Whole panels narrower than one tile (16,
    # 17 and 32 columns: Winograd's products on small maps) take the hint in
    # their edge tile.
    for m, n in [(mr, nr), (mr, 2 * nr + 1), (mr + 1, nr - 1 if nr > 1 else 2), (mr, 16), (mr, 17), (mr, 32)]:
        for k in (17, 63, 64, 65):
            check(isa, m, k, n, rng, prefetch)


def test_random_sizes(isa, rng):
    for _ in range(20):
        m, k, n = (int(v) for v in rng.integers(1, 80, size=3))
        check(isa, m, k, n, rng)


def test_kernel_names_say_isa_and_tile(isa):
    name = edgecnn._core.f32_gemm_kernel_name(isa)
    assert name.endswith("__" + isa), name


def check_acc(isa, m, k, n, rng, prefetch=False):
    w = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    c = rng.standard_normal((m, n)).astype(np.float32)
    got = edgecnn._core.kernel_f32_gemm_acc(isa, w, b, c, prefetch=prefetch)
    ref = c.astype(np.float64) + w.astype(np.float64) @ b.astype(np.float64)
    tol = 1e-5 * max(1.0, np.sqrt(k)) * max(1.0, float(np.abs(ref).max()))
    err = np.abs(got - ref)
    at = np.unravel_index(int(err.argmax()), err.shape)
    assert err.max() <= tol, (f"{edgecnn._core.f32_gemm_kernel_name(isa)} (acc) M={m} K={k} N={n} prefetch={prefetch}: "
                              f"|diff| {err.max():.3g} at {at}")


@pytest.mark.parametrize("prefetch", [False, True], ids=["plain", "hint"])
@pytest.mark.parametrize("dim", ["m", "n"])
def test_accumulate_tile_boundaries(isa, dim, prefetch, rng):
    mr, nr = TILES[isa]
    for size in boundary(mr if dim == "m" else nr):
        for k in (1, 3, 17):
            m, n = (size, 5) if dim == "m" else (3, size)
            check_acc(isa, m, k, n, rng, prefetch)
    for m, n in [(mr, nr), (mr, 2 * nr + 1), (mr + 1, nr - 1 if nr > 1 else 2)]:
        check_acc(isa, m, 17, n, rng, prefetch)


def check_weight_gemm(isa, m, k, n, threads, in_place, rng):
    w = rng.standard_normal((m, k)).astype(np.float32)
    b = rng.standard_normal((k, n)).astype(np.float32)
    bias = rng.standard_normal(m).astype(np.float32)
    gemm = edgecnn._core.F32WeightGemm(isa, w, n, threads, b_in_place=in_place)
    assert gemm.b_in_place == in_place
    y = np.full((m, n), np.nan, np.float32)
    gemm.run(b, bias, y)
    ref = w.astype(np.float64) @ b.astype(np.float64) + bias[:, None]
    tol = 1e-5 * max(1.0, np.sqrt(k)) * max(1.0, float(np.abs(ref).max()))
    err = np.abs(y - ref)
    case = (f"{gemm.kernel} M={m} K={k} N={n} threads={threads} in_place={in_place} (kc={gemm.kc} "
            f"nc={gemm.nc} tasks={gemm.tasks})")
    assert np.isfinite(y).all(), f"{case}: outputs left unwritten"
    assert err.max() <= tol, f"{case}: |diff| {err.max():.3g} at {np.unravel_index(int(err.argmax()), err.shape)}"


@pytest.mark.parametrize("in_place", [False, True], ids=["packed", "in_place"])
@pytest.mark.parametrize("threads", [1, 2, 3])
def test_weight_gemm_blocks(isa, threads, in_place, rng):
    mr, nr = TILES[isa]
    # K past one and several k blocks (the block is sized from L1: hundreds
    # of rows), N past one column block and around panel edges, M around
    # the panel height. In place, each kernel call also requests rows of
    # the next block: of the next k block, of the next column block, or
    # none (the last block, or a next row chunk on the same block).
    for m, k, n in [(1, 1, 1), (mr, 3, nr), (mr + 1, 700, nr + 1), (2 * mr - 1, 2500, 3 * nr - 1),
                    (3, 4700, 50), (17, 64, 9000), (64, 1200, 700), (mr - 1 if mr > 1 else 1, 9, 2 * nr + 1)]:
        check_weight_gemm(isa, m, k, n, threads, in_place, rng)


def silu(x):
    return x / (1.0 + np.exp(-x))


def hardswish(x):
    return x * np.clip(x / 6.0 + 0.5, 0.0, 1.0)


POSTS = [  # (clamp, residual, residual_first, activation): ReLU, ReLU6, residual then ReLU, ReLU then
    # residual, residual alone, SiLU, residual then SiLU, then every other epilogue activation (each its
    # own kernel variant on tiers that apply it in registers)
    ((0.0, np.inf), False, True, ""), ((0.0, 6.0), False, True, ""), ((0.0, np.inf), True, True, ""),
    ((0.0, np.inf), True, False, ""), (None, True, True, ""), (None, False, True, "SiLU"),
    (None, True, True, "SiLU"), (None, False, True, "HardSwish"), (None, False, True, "Sigmoid"),
    (None, True, True, "HardSigmoid"), (None, False, True, "LeakyRelu"), (None, False, True, "Tanh")]
ACTIVATIONS = {"": lambda x: x, "SiLU": silu, "HardSwish": hardswish, "Sigmoid": lambda x: 1 / (1 + np.exp(-x)),
               "HardSigmoid": lambda x: np.clip(0.2 * x + 0.5, 0, 1),  # the ONNX defaults alpha 0.2, beta 0.5
               "LeakyRelu": lambda x: np.where(x < 0, 0.01 * x, x), "Tanh": np.tanh}


@pytest.mark.parametrize("post", range(len(POSTS)))
@pytest.mark.parametrize("dim", ["m", "n"])
def test_indirect_post_step(isa, dim, post, rng):
    """The indirect kernel's residual, clamp and activation (kernels/gemm_post.h),
    at tile boundaries, with B rows gathered through an offset table."""
    clamp, with_r, first, act = POSTS[post]
    mr, nr = TILES[isa]
    name = edgecnn._core.f32_gemm_kernel_name(isa)
    for t in boundary(mr if dim == "m" else nr):
        m, n = (t, 2 * nr + 3) if dim == "m" else (2 * mr + 1, t)
        k = 37
        w = rng.standard_normal((m, k)).astype(np.float32)
        base = rng.standard_normal(k * n + 50).astype(np.float32)
        koff = rng.choice(max(k, k * n // 2), k, replace=False).astype(np.int64) + 7
        bias = rng.standard_normal(m).astype(np.float32)
        r = rng.standard_normal((m, n)).astype(np.float32) * 3 if with_r else None
        got = edgecnn._core.kernel_f32_igemm(isa, w, base, koff, n, bias, clamp=clamp, r=r, residual_first=first,
                                             activation=act)
        b = base[koff[:, None] + np.arange(n)[None, :]].astype(np.float64)
        ref = w.astype(np.float64) @ b + bias[:, None]
        if with_r and first:
            ref += r
        if clamp is not None:
            ref = np.clip(ref, clamp[0], clamp[1])
        ref = ACTIVATIONS[act](ref)
        if with_r and not first:
            ref += r
        tol = 1e-5 * max(1.0, np.sqrt(k)) * max(1.0, float(np.abs(ref).max()))
        err = np.abs(got - ref)
        at = np.unravel_index(int(err.argmax()), err.shape)
        assert err.max() <= tol, f"{name} post={POSTS[post]} M={m} N={n}: |diff| {err.max():.3g} at {at}"
