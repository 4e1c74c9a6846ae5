"""The im2col row kernels (kernels/f32_im2col.inc) of every ISA tier against a
numpy reference: strides 1, 2 and 3, offsets reaching into the padding on
either side, column ranges starting and ending mid-row and mid-vector, and
panel widths of every GEMM tile (8, 16, 48)."""

import numpy as np
import pytest

import edgecnn


def reference(plane, out_w, sh, sw, y_off, x_off, n0, nc, nr):
    h, w = plane.shape
    out = np.full(((nc + nr - 1) // nr) * nr, np.nan, np.float32)
    for j in range(nc):
        oy, ox = divmod(n0 + j, out_w)
        iy, ix = oy * sh + y_off, ox * sw + x_off
        out[j] = plane[iy, ix] if 0 <= iy < h and 0 <= ix < w else 0.0
    return out.reshape(-1, nr)


@pytest.mark.parametrize("sw", [1, 2, 3])
@pytest.mark.parametrize("nr", [8, 16, 48])
def test_rows(isa, rng, sw, nr):
    name = edgecnn._core.f32_im2col_kernel_name(isa)
    for h, w in ((5, 7), (9, 33), (4, 80)):
        plane = rng.standard_normal((h, w)).astype(np.float32)
        for x_off in (-2, -1, 0, 1, 2):
            for y_off in (-1, 0, 1):
                out_w = max(1, (w - x_off - 1) // sw + 1 + (1 if x_off < 0 else 0))
                total = out_w * max(1, h // 2)
                for n0, nc in ((0, total), (1, total - 1), (out_w - 1, 2), (3, min(nr + 1, total - 3)),
                               (0, min(15, total)), (out_w, min(2 * nr + 3, total - out_w))):
                    if nc < 1 or n0 + nc > total:
                        continue
                    got = edgecnn._core.kernel_f32_im2col_row(isa, plane, out_w, 2, sw, y_off, x_off, n0, nc, nr)
                    ref = reference(plane, out_w, 2, sw, y_off, x_off, n0, nc, nr)
                    case = f"{name} plane={plane.shape} out_w={out_w} sw={sw} off=({y_off},{x_off}) n0={n0} nc={nc} nr={nr}"
                    assert np.array_equal(got, ref, equal_nan=True), f"{case}: first mismatch at " \
                        f"{np.argwhere(~((got == ref) | (np.isnan(got) & np.isnan(ref))))[0]}"


def phase_reference(x, pad_left, sw, ld):
    out = np.full((sw, ld + 16), np.nan, np.float32)
    for px in range(sw):
        for c in range(ld):
            ix = c * sw + px - pad_left
            out[px, c] = x[ix] if 0 <= ix < len(x) else 0.0
    return out


@pytest.mark.parametrize("sw", [1, 2, 3])
def test_phase_rows(isa, rng, sw):
    """The direct path's band copy: widths and phase-row lengths at the vector
    steps (8, 16) +-1, pads that start the row in the padding, and rows that
    end past the input (right padding) or stop short of it."""
    name = edgecnn._core.f32_im2col_kernel_name(isa)
    for in_w in (1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 56, 161):
        x = rng.standard_normal(in_w).astype(np.float32)
        full = (in_w + sw - 1) // sw
        for pad_left in (0, 1, 2, 3):
            for ld in sorted({1, 7, 8, 9, 15, 16, 17, 33, full, full + 1, full + 2, full + pad_left}):
                got = edgecnn._core.kernel_f32_im2col_phase_row(isa, x, pad_left, sw, ld)
                ref = phase_reference(x, pad_left, sw, ld)
                same = (got == ref) | (np.isnan(got) & np.isnan(ref))
                assert same.all(), f"{name} in_w={in_w} pad_left={pad_left} sw={sw} ld={ld}: first mismatch " \
                    f"(phase, column) {tuple(np.argwhere(~same)[0])}"
