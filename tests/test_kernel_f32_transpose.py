"""The transpose kernels (kernels/f32_transpose.inc) of every ISA tier against
numpy: rows and columns around the 8x8 and 16x16 register blocks (0, 1, 7,
8, 9, 15, 16, 17, 31, 33, 49), row strides wider than the matrix on both sides, and nothing
written outside the transposed region."""

import numpy as np
import pytest

import edgecnn

SIZES = (1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 49)


@pytest.mark.parametrize("rows", SIZES)
def test_block_boundaries(isa, rows, rng):
    name = edgecnn._core.f32_transpose_kernel_name(isa)
    for cols in SIZES:
        for pad in (0, 3):
            src = rng.standard_normal((rows + pad, cols + pad)).astype(np.float32)
            dst0 = np.full((cols + 2 * pad, rows + 2 * pad), np.nan, dtype=np.float32)
            got = edgecnn._core.kernel_f32_transpose(isa, src, rows, cols, dst0)
            case = f"{name} rows={rows} cols={cols} pad={pad}"
            inside = got[:cols, :rows]
            assert np.array_equal(inside, src[:rows, :cols].T), (
                f"{case}: first mismatch at (col, row) "
                f"{np.argwhere(inside != src[:rows, :cols].T)[0].tolist()}")
            outside = got.copy()
            outside[:cols, :rows] = np.nan
            assert np.isnan(outside).all(), f"{case}: wrote outside at {np.argwhere(~np.isnan(outside))[0].tolist()}"


def test_empty(isa):
    dst0 = np.zeros((4, 4), dtype=np.float32)
    got = edgecnn._core.kernel_f32_transpose(isa, np.ones((4, 4), dtype=np.float32), 0, 3, dst0)
    assert np.array_equal(got, dst0)
