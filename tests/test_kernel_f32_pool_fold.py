"""The pooling fold kernels (kernels/f32_pool_fold.inc) of every ISA tier
against numpy: lengths around the vector width and the 4-vector step (0, 1,
7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 112, 129), in place into either
operand, and max's NaN rule (std::max(acc, x): a NaN in acc stays, one in x is
passed over), which MaxPool's output depends on."""

import numpy as np
import pytest

import edgecnn

LENGTHS = (0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 112, 129)


def reference(fold, acc, x):
    if fold == "add":
        return acc + x
    return np.where(acc < x, x, acc)


@pytest.mark.parametrize("fold", ["max", "add"])
@pytest.mark.parametrize("into", ["new", "acc", "x"])
def test_lengths(isa, rng, fold, into):
    name = edgecnn._core.f32_pool_fold_kernel_name(isa)
    for n in LENGTHS:
        acc = rng.standard_normal(n).astype(np.float32)
        x = rng.standard_normal(n).astype(np.float32)
        got = edgecnn._core.kernel_f32_pool_fold(isa, fold, acc, x, into)
        want = reference(fold, acc, x)
        bad = np.flatnonzero(got != want)
        assert bad.size == 0, (f"{name} {fold} n={n} into={into}: first mismatch at {bad[0]}: "
                               f"got {got[bad[0]]}, want {want[bad[0]]}")


def test_max_nan_rule(isa):
    # Every lane position of a 33-float row (two full vectors and a tail on
    # AVX-512, four and a tail on AVX2) holds each NaN placement once.
    name = edgecnn._core.f32_pool_fold_kernel_name(isa)
    n = 33
    for pattern in ("acc", "x", "both"):
        acc = np.arange(n, dtype=np.float32)
        x = np.arange(n, dtype=np.float32)[::-1].copy()
        if pattern in ("acc", "both"):
            acc[::2] = np.nan
        if pattern in ("x", "both"):
            x[::3] = np.nan
        got = edgecnn._core.kernel_f32_pool_fold(isa, "max", acc, x)
        want = reference("max", acc, x)
        same = (got == want) | (np.isnan(got) & np.isnan(want))
        assert same.all(), f"{name} max NaN in {pattern}: first mismatch at {np.flatnonzero(~same)[0]}"


def test_rejects_bad_arguments():
    one = np.zeros(4, np.float32)
    with pytest.raises(ValueError):
        edgecnn._core.kernel_f32_pool_fold("avx512", "min", one, one)
    with pytest.raises(ValueError):
        edgecnn._core.kernel_f32_pool_fold("avx512", "max", one, np.zeros(5, np.float32))
