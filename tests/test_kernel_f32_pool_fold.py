"""The pooling fold kernels (kernels/f32_pool_fold.inc) of every ISA tier
against numpy: row lengths around the vector width and the two-vector step
(0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 112, 129), 1-5 rows a
stride apart (wider than the run, or one or two floats: shifted copies of
one row, as the stride-1 column pass reads them at dilation 1 or 2), folded into a new row or
into a given one, and NaN: any NaN among a max's folded values gives NaN."""

import numpy as np
import pytest

import edgecnn

LENGTHS = (0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 112, 129)


def runs(flat, count, stride, n):
    """The count runs the kernel reads: run j at j * stride of the flat x."""
    return np.stack([flat[j * stride:j * stride + n] for j in range(count)])


def reference(fold, rows, y0):
    stack = rows if y0 is None else np.vstack([y0[None], rows])
    return stack.sum(0, dtype=np.float32) if fold == "add" else stack.max(0)


@pytest.mark.parametrize("fold", ["max", "add"])
@pytest.mark.parametrize("count", [1, 2, 3, 5])
@pytest.mark.parametrize("accumulate", [False, True])
@pytest.mark.parametrize("stride_kind", ["rows", "shift1", "shift2"])
def test_lengths(isa, rng, fold, count, accumulate, stride_kind):
    name = edgecnn._core.f32_pool_fold_kernel_name(isa)
    for n in LENGTHS:
        stride = {"rows": n + 3, "shift1": 1, "shift2": 2}[stride_kind]
        flat = rng.standard_normal((count - 1) * stride + n + 2).astype(np.float32)
        y0 = rng.standard_normal(n).astype(np.float32) if accumulate else None
        got = edgecnn._core.kernel_f32_pool_fold(isa, fold, flat, count, stride, n, y0)
        want = reference(fold, runs(flat, count, stride, n), y0)
        case = f"{name} {fold} n={n} count={count} stride={stride} accumulate={accumulate}"
        if fold == "add":
            np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6, err_msg=case)
        else:
            bad = np.flatnonzero(got != want)
            assert bad.size == 0, f"{case}: first mismatch at {bad[0]}: got {got[bad[0]]}, want {want[bad[0]]}"


def test_max_propagates_nan(isa, rng):
    # A NaN in every position of the folded values (each row, and the given
    # row), at lanes in the first and second vector and the tail.
    name = edgecnn._core.f32_pool_fold_kernel_name(isa)
    n, count = 37, 3
    for where in range(count + 1):
        for lane in (0, 15, 16, 31, 36):
            x = rng.standard_normal((count, n)).astype(np.float32)
            y0 = rng.standard_normal(n).astype(np.float32)
            if where == count:
                y0[lane] = np.nan
            else:
                x[where, lane] = np.nan
            got = edgecnn._core.kernel_f32_pool_fold(isa, "max", x.reshape(-1), count, n, n, y0)
            nan = np.flatnonzero(np.isnan(got))
            assert nan.tolist() == [lane], f"{name} NaN in row {where} lane {lane}: NaN at {nan.tolist()}"
            rest = np.arange(n) != lane
            assert np.array_equal(got[rest], reference("max", x, y0)[rest]), f"{name} NaN case {where}/{lane}"


def test_rejects_bad_arguments():
    x = np.zeros(8, np.float32)
    with pytest.raises(ValueError):
        edgecnn._core.kernel_f32_pool_fold("avx512", "min", x, 2, 4, 4)
    with pytest.raises(ValueError):
        edgecnn._core.kernel_f32_pool_fold("avx512", "max", x, 2, 4, 5)  # runs past x
    with pytest.raises(ValueError):
        edgecnn._core.kernel_f32_pool_fold("avx512", "max", x, 0, 4, 4)
    with pytest.raises(ValueError):  # (count - 1) * stride would overflow int64
        edgecnn._core.kernel_f32_pool_fold("avx512", "max", x, 2**62, 2**62, 4)
    with pytest.raises(ValueError):
        edgecnn._core.kernel_f32_pool_fold("avx512", "max", x, 2, 4, 4, np.zeros(3, np.float32))
