"""The Winograd F(m x m, 3x3) transform kernels (kernels/f32_winograd.inc) of
every ISA tier against a float64 numpy reference built from the matrices of
kernels/winograd.h: the input transform B^T d B of every tile, the output
transform A^T M A + bias, at tile counts around the vector widths (8 and 16
tiles per step: 1, 7, 8, 9, 15, 16, 17, 31, 33), partial last tiles (fewer
rows and columns than m), and nothing written outside the valid region."""

import numpy as np
import pytest

import edgecnn

# F(2x2, 3x3) and F(4x4, 3x3): (B^T, A^T).
BT = {2: np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], np.float64),
      4: np.array([[4, 0, -5, 0, 1, 0], [0, -4, -4, 1, 1, 0], [0, 4, -4, -1, 1, 0], [0, -2, -1, 2, 1, 0],
                   [0, 2, -1, -2, 1, 0], [0, 4, 0, -5, 0, 1]], np.float64)}
AT = {2: np.array([[1, 1, 1, 0], [0, 1, -1, -1]], np.float64),
      4: np.array([[1, 1, 1, 1, 1, 0], [0, 1, -1, 2, -2, 0], [0, 1, 1, 4, 4, 0], [0, 1, -1, 8, -8, 1]], np.float64)}
COUNTS = (1, 7, 8, 9, 15, 16, 17, 31, 33)


def kernel_name(isa, m):
    name = edgecnn._core.f32_wino_kernel_name(isa, m)
    assert name is not None, f"{isa} has no F({m}x{m}) transforms"  # every x86 tier and scalar have both
    return name


@pytest.mark.parametrize("m", [2, 4])
def test_input_transform(isa, m, rng):
    p = m + 2
    name = kernel_name(isa, m)
    for count in COUNTS:
        c = 3
        x = rng.standard_normal((c, p, m * count + 2 + 5)).astype(np.float32)  # 5 columns past the last tile
        got = edgecnn._core.kernel_f32_wino_input(isa, m, x, count)
        assert got.shape == (p * p, c, count)
        for ch in range(c):
            for i in range(count):
                d = x[ch, :, m * i:m * i + p].astype(np.float64)
                ref = (BT[m] @ d @ BT[m].T).reshape(-1)
                err = np.abs(got[:, ch, i] - ref)
                tol = 1e-5 * (8 if m == 4 else 1) * max(1.0, float(np.abs(ref).max()))
                assert err.max() <= tol, (f"{name} count={count} channel {ch} tile {i}: |diff| {err.max():.3g} "
                                          f"at frequency {int(err.argmax())}")


@pytest.mark.parametrize("m", [2, 4])
def test_output_transform(isa, m, rng):
    p = m + 2
    name = kernel_name(isa, m)
    for count in COUNTS:
        for rows, short in ((m, 0), (1, m - 1), (m - 1, 1)):
            c = 3
            cols = m * count - short  # the last tile's columns cut short
            mat = rng.standard_normal((p * p, c, count)).astype(np.float32)
            bias = rng.standard_normal(c).astype(np.float32)
            y0 = np.full((c, rows, cols + 3), np.nan, np.float32)
            got = edgecnn._core.kernel_f32_wino_output(isa, m, mat, bias, rows, cols, y0)
            case = f"{name} count={count} rows={rows} cols={cols}"
            assert np.isnan(got[:, :, cols:]).all(), f"{case}: wrote past the valid columns"
            for ch in range(c):
                for i in range(count):
                    tile = AT[m] @ mat[:, ch, i].astype(np.float64).reshape(p, p) @ AT[m].T + bias[ch]
                    w = min(m, cols - m * i)
                    ref = tile[:rows, :w]
                    out = got[ch, :, m * i:m * i + w]
                    err = np.abs(out - ref)
                    tol = 1e-5 * (8 if m == 4 else 1) * max(1.0, float(np.abs(ref).max()))
                    assert err.max() <= tol, (f"{case} channel {ch} tile {i}: |diff| {err.max():.3g} at "
                                              f"{np.unravel_index(int(err.argmax()), err.shape)}")
