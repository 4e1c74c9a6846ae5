"""Instance masks (csrc/post/masks, csrc/post/rle) against the numpy
references: YOLO prototype masks, torchvision's Mask R-CNN paste, full masks
and COCO RLE from box-local masks."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edgecnn
from reference import dense_post as ref
from reference import preprocess as ref_pre

core = edgecnn._core


def to_full(masks, origins, frame_hw):
    """Box-local masks pasted into empty frames (numpy, independent of paste_full)."""
    full = np.zeros((len(masks), *frame_hw), bool)
    for i, (m, (x0, y0)) in enumerate(zip(masks, origins)):
        assert m.dtype == bool and 0 <= x0 and 0 <= y0
        assert x0 + m.shape[1] <= frame_hw[1] and y0 + m.shape[0] <= frame_hw[0]
        full[i, y0 : y0 + m.shape[0], x0 : x0 + m.shape[1]] = m
    return full


def assert_masks_match(got, want, values, threshold, tol, what):
    """Masks equal except where the reference value is within tol of the
    threshold (float32 vs float64, or a different blend order)."""
    wrong = (got != want) & (np.abs(values - threshold) > tol)
    assert not wrong.any(), f"{what}: {wrong.sum()} pixels differ, first at {np.argwhere(wrong)[0]}"


# ---------------------------------------------------------------- YOLO protos


def random_boxes(rng, n, frame_hw):
    h, w = frame_hw
    x1 = rng.uniform(-0.3 * w, w, n)
    y1 = rng.uniform(-0.3 * h, h, n)
    bw = rng.exponential(0.3 * w, n)
    bh = rng.exponential(0.3 * h, n)
    return np.stack([x1, y1, x1 + bw, y1 + bh], 1).astype(np.float32)


def special_boxes(frame_hw):
    h, w = frame_hw
    return np.array(
        [
            [0, 0, w, h],  # whole frame, touching every edge
            [-10.5, -3.2, 5.7, 4.1],  # partly outside, top-left
            [w - 3.3, h - 2.5, w + 20, h + 20],  # partly outside, bottom-right
            [3.2, 4.6, 3.7, 5.1],  # under a pixel: contains the centre (3.5, 4.5)? x yes, y no
            [3.2, 4.2, 3.7, 4.7],  # under a pixel, contains centre (3.5, 4.5)
            [3.6, 4.6, 3.9, 4.9],  # under a pixel, no centre inside
            [5, 5, 5, 9],  # zero width
            [8, 8, 2, 2],  # inverted
            [w + 1, 0, w + 9, h],  # entirely outside
            [0.5, 0.5, w - 0.5, h - 0.5],  # half-pixel edges
        ],
        np.float32,
    )


def check_proto(coeffs, protos, boxes, frame_hw, transform, input_hw, isa=""):
    masks, origins = core.yolo_proto_masks(coeffs, protos, boxes, *frame_hw, transform, *input_hw, isa=isa)
    assert len(masks) == len(boxes) and origins.shape == (len(boxes), 2) and origins.dtype == np.int64
    for m, o, b in zip(masks, origins, boxes):
        x0, y0, x1, y1 = ref.box_region(b, frame_hw)
        assert (o[0], o[1], m.shape[1], m.shape[0]) == (x0, y0, x1 - x0, y1 - y0), f"region of box {b}"
    want, logits = ref.yolo_proto_masks(coeffs, protos, boxes, frame_hw, transform, input_hw)
    got = to_full(masks, origins, frame_hw)
    assert_masks_match(got, want, logits, 0.0, 1e-4, f"proto masks, isa={isa or 'default'}")
    return masks, origins, want


@pytest.mark.parametrize(
    "frame_hw,input_hw,letterbox",
    [((48, 64), (64, 64), True), ((64, 48), (64, 64), True), ((37, 91), (64, 96), True), ((50, 50), (64, 64), False),
     ((9, 13), (32, 32), True), ((1, 1), (32, 32), True)],
)
def test_proto_masks_match_reference(frame_hw, input_hw, letterbox, isa, rng):
    nm = 8
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, letterbox)
    protos = rng.standard_normal((nm, input_hw[0] // 4, input_hw[1] // 4)).astype(np.float32)
    boxes = np.concatenate([special_boxes(frame_hw), random_boxes(rng, 20, frame_hw)])
    coeffs = rng.standard_normal((len(boxes), nm)).astype(np.float32)
    _, _, want = check_proto(coeffs, protos, boxes, frame_hw, transform, input_hw, isa)
    if frame_hw[0] > 5 and frame_hw[1] > 5:
        assert not want[3:4].any() and not want[5:9].any()


def test_proto_masks_crop_to_pixel_centres():
    # Positive logits everywhere: the mask is exactly the pixels whose centres lie in the box.
    frame_hw, input_hw = (20, 30), (32, 32)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, True)
    protos = np.ones((1, 8, 8), np.float32)
    boxes = np.array([[2.5, 3.0, 7.49, 6.5], [3.2, 4.2, 3.7, 4.7], [-4, -4, 0.5, 0.5]], np.float32)
    masks, origins = core.yolo_proto_masks(np.ones((3, 1), np.float32), protos, boxes, *frame_hw, transform, *input_hw)
    assert np.array_equal(to_full(masks, origins, frame_hw), ref.centers_in_boxes(boxes, frame_hw))
    assert masks[0].shape == (4, 6) and masks[0][:3, :5].all() and not masks[0][3].any() and masks[0][:, 5].sum() == 0
    assert masks[1].shape == (1, 1) and masks[1].all()
    assert masks[2].shape == (1, 1) and not masks[2].any()  # centre (0.5, 0.5) is on x2 = 0.5: outside


def test_proto_masks_ultralytics_shapes(rng):
    # 640x640 letterboxed 480x640 frame, 32 prototypes of 160x160, batch axis of one.
    frame_hw, input_hw = (480, 640), (640, 640)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, True)
    protos = rng.standard_normal((1, 32, 160, 160)).astype(np.float32)
    boxes = random_boxes(rng, 12, frame_hw)
    coeffs = rng.standard_normal((12, 32)).astype(np.float32) * 0.5
    check_proto(coeffs, protos[0], boxes, frame_hw, transform, input_hw)
    a, oa = core.yolo_proto_masks(coeffs, protos, boxes, *frame_hw, transform, *input_hw)
    b, ob = core.yolo_proto_masks(coeffs, protos[0], boxes, *frame_hw, transform, *input_hw)
    assert np.array_equal(oa, ob) and all(np.array_equal(x, y) for x, y in zip(a, b))


def test_proto_masks_sign_blocks(isa, rng):
    # Prototype cells in blocks of one sign (positive, negative, zero, tiny
    # positive under the 1e-30 margin, NaN) next to random cells: output rows
    # sharing their two source rows reuse what each run's four source values
    # decide, and sample the other runs pixel by pixel; every pixel must match.
    frame_hw, input_hw = (90, 160), (128, 128)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, True)
    grid = rng.standard_normal((32, 32)).astype(np.float32)
    grid[4:14, 0:12], grid[4:14, 12:20], grid[14:20, 0:10] = 2.0, -1.5, 0.0
    grid[14:20, 10:18], grid[20:24, 0:6], grid[20:24, 6:8] = 1e-31, np.nan, -0.0
    boxes = np.array([[0, 0, 160, 90], [10.3, 5.2, 150.7, 80.1], [40, 20, 41, 70]], np.float32)
    check_proto(np.ones((3, 1), np.float32), grid[None], boxes, frame_hw, transform, input_hw, isa)


@pytest.mark.parametrize(
    "frame_hw,input_hw",
    [((720, 1280), (640, 640)),  # 8 pixels per prototype cell: the permute path
     ((100, 70), (640, 640)),  # 1.6 cells per pixel: blocks too wide for one vector (gathers)
     ((160, 160), (640, 640)), ((31, 47), (640, 640))],
)
def test_proto_masks_identical_on_every_tier(frame_hw, input_hw, rng):
    # The per-pixel kernels round every product on its own: all tiers must
    # write the same bytes, not only agree up to the reference's tolerance.
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, True)
    protos = rng.standard_normal((32, input_hw[0] // 4, input_hw[1] // 4)).astype(np.float32)
    boxes = np.concatenate([special_boxes(frame_hw), random_boxes(rng, 10, frame_hw)])
    coeffs = (rng.standard_normal((len(boxes), 32)) * 0.3).astype(np.float32)
    first, first_origins, _ = check_proto(coeffs, protos, boxes, frame_hw, transform, input_hw, "scalar")
    for isa in core.available_isas():
        masks, origins = core.yolo_proto_masks(coeffs, protos, boxes, *frame_hw, transform, *input_hw, isa=isa)
        assert np.array_equal(origins, first_origins)
        for i, (a, b) in enumerate(zip(masks, first)):
            diff = np.argwhere(a != b)
            assert not len(diff), f"isa={isa} frame={frame_hw} box {i}: {len(diff)} pixels differ from scalar, " \
                                  f"first at {diff[0]}"


def test_mask_kernels_by_tier(isa):
    assert core.mask_kernels_name(isa) == f"mask_{isa}"


# Cell counts at the 8/16-lane steps +-1; row counts around the 4-row blocks.
@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65])
@pytest.mark.parametrize("rows", [1, 2, 3, 4, 5, 8, 9])
@pytest.mark.parametrize("num_protos", [1, 32])
def test_mask_logits_rows_kernel_matches_reference(isa, n, rows, num_protos, rng):
    row_stride = n + 5  # rows do not end where the window ends (a box's window of the grid)
    p = rng.standard_normal((num_protos, rows, row_stride)).astype(np.float32)
    coeffs = rng.standard_normal(num_protos).astype(np.float32)
    want = np.zeros((rows, n), np.float32)
    for k in range(num_protos):  # k ascending, each product rounded on its own
        want = want + coeffs[k] * p[k, :, :n]
    got = core.kernel_mask_logits_rows(isa, p, coeffs, n)
    diff = np.argwhere(got != want)
    assert not len(diff), f"isa={isa} n={n} rows={rows} num_protos={num_protos}: cells {diff[:4].tolist()} differ"


def mask_rows_reference(r0, r1, wy0, wy1, i0, i1, w0, w1):
    """The kernel's contract in float32 for the rows of weights wy0[r], wy1[r],
    every product rounded on its own (inf * 0 is NaN, as in the kernels)."""
    with np.errstate(invalid="ignore"):
        v = r0[None] * np.float32(wy0)[:, None] + r1[None] * np.float32(wy1)[:, None]
        return v[:, i0] * w0 + v[:, i1] * w1 > 0


def row_weights(rng, rows):
    wy1 = rng.random(rows).astype(np.float32)
    return (1 - wy1).astype(np.float32), wy1


def mask_row_case(rng, n, cols, cells_per_pixel, first_col=0):
    """n pixels sampling `cols` columns at the given rate, from first_col on,
    with the clamp at the last column that linear_taps makes."""
    s = first_col + np.arange(n) * cells_per_pixel + rng.random() * 0.5
    i0 = np.minimum(np.floor(s), cols - 1).astype(np.int32)
    i1 = np.minimum(i0 + 1, cols - 1).astype(np.int32)
    w1 = np.clip(s - i0, 0, 1).astype(np.float32)
    r0, r1 = (rng.standard_normal(cols).astype(np.float32) for _ in range(2))
    return r0, r1, i0, i1, (1 - w1).astype(np.float32), w1


def check_rows_kernel(isa, r0, r1, wy0, wy1, i0, i1, w0, w1, case):
    want = mask_rows_reference(r0, r1, wy0, wy1, i0, i1, w0, w1)
    got = core.kernel_mask_rows_positive(isa, r0, r1, wy0, wy1, i0, i1, w0, w1)
    diff = np.argwhere(got != want)
    assert not len(diff), f"isa={isa} {case}: (row, pixel) {diff[:4].tolist()} differ"


# Pixel counts at the 8- and 16-lane step boundaries, +-1 (3 rows: a block of 3).
@pytest.mark.parametrize("n", [1, 2, 7, 8, 9, 15, 16, 17, 23, 24, 25, 31, 32, 33, 47, 48, 49, 100, 300])
@pytest.mark.parametrize("cells_per_pixel", [0.125, 0.5, 0.93, 1.0, 1.6, 3.0])
def test_mask_rows_kernel_matches_reference(isa, n, cells_per_pixel, rng):
    cols = int(np.ceil(n * cells_per_pixel)) + 2
    r0, r1, i0, i1, w0, w1 = mask_row_case(rng, n, cols, cells_per_pixel)
    check_rows_kernel(isa, r0, r1, *row_weights(rng, 3), i0, i1, w0, w1, f"n={n} cells/pixel={cells_per_pixel}")


# Row counts around the 4-row blocks.
@pytest.mark.parametrize("rows", [0, 1, 2, 3, 4, 5, 7, 8, 9])
@pytest.mark.parametrize("cells_per_pixel", [0.125, 1.6])
def test_mask_rows_kernel_row_counts(isa, rows, cells_per_pixel, rng):
    n = 37
    cols = int(np.ceil(n * cells_per_pixel)) + 2
    r0, r1, i0, i1, w0, w1 = mask_row_case(rng, n, cols, cells_per_pixel)
    check_rows_kernel(isa, r0, r1, *row_weights(rng, rows), i0, i1, w0, w1,
                      f"rows={rows} cells/pixel={cells_per_pixel}")


@pytest.mark.parametrize("max_jump", [1, 3, 9])
def test_mask_rows_kernel_irregular_columns(isa, max_jump, rng):
    # Columns advancing by random steps (0 .. max_jump per pixel): the SIMD
    # kernels switch between re-blending, reusing one blend and gathering
    # from step to step.
    n = 500
    i0 = np.cumsum(rng.integers(0, max_jump + 1, n) * (rng.random(n) < 0.3)).astype(np.int32)
    cols = int(i0[-1]) + 2
    i1 = np.minimum(i0 + rng.integers(0, 2, n), cols - 1).astype(np.int32)
    i1 = np.maximum.accumulate(i1)
    w1 = rng.random(n).astype(np.float32)
    r0, r1 = (rng.standard_normal(cols).astype(np.float32) for _ in range(2))
    check_rows_kernel(isa, r0, r1, *row_weights(rng, 5), i0, i1, 1 - w1, w1, f"max_jump={max_jump}")


@pytest.mark.parametrize("tail_cols", [1, 2, 3, 15, 16, 17])
def test_mask_rows_kernel_at_the_row_end(isa, tail_cols, rng):
    # The last pixels clamp onto the last column; the vector that holds them
    # reaches past the row, so its loads are cut at `cols`. The rows are
    # exactly cols floats: the sanitizer run catches a read past them.
    cpp = 0.25
    cols = tail_cols + 8
    n = 4 * (tail_cols + 4)
    r0, r1, i0, i1, w0, w1 = mask_row_case(rng, n, cols, cpp, first_col=cols - tail_cols - 2)
    assert i1[-1] == cols - 1
    check_rows_kernel(isa, r0, r1, *row_weights(rng, 5), i0, i1, w0, w1, f"cols={cols}")


def test_mask_rows_kernel_special_values(isa):
    # NaN anywhere in a pixel's blend clears it; +-inf decide by sign; an
    # exact zero logit is not > 0. Row weights 0, 0.5 and 1.
    r0 = np.array([np.nan, 1.0, -np.inf, np.inf, 0.0, -0.0, 2.0, -2.0, 1e-38, -1e-38] * 2, np.float32)
    r1 = r0[::-1].copy()
    cols = len(r0)
    i0 = np.repeat(np.arange(cols - 1, dtype=np.int32), 2)
    i1 = i0 + 1
    w1 = np.tile(np.array([0.25, 0.75], np.float32), cols - 1)
    wy1 = np.array([0.0, 0.5, 1.0], np.float32)
    check_rows_kernel(isa, r0, r1, 1 - wy1, wy1, i0, i1, 1 - w1, w1, "special values")


@pytest.mark.parametrize("bad", ["decreasing", "i1_below_i0", "past_row", "negative", "lengths", "row_weights"])
def test_mask_rows_kernel_hook_checks_its_input(bad):
    r = np.zeros(8, np.float32)
    i0, i1, w = np.array([0, 1, 2], np.int32), np.array([1, 2, 3], np.int32), np.full(3, 0.5, np.float32)
    wy = np.full(2, 0.5, np.float32)
    wy1 = wy
    if bad == "decreasing":
        i0, i1 = np.array([1, 0, 2], np.int32), np.array([2, 1, 3], np.int32)
    elif bad == "i1_below_i0":
        i1 = np.array([0, 0, 3], np.int32)
    elif bad == "past_row":
        i1 = np.array([1, 2, 8], np.int32)
    elif bad == "negative":
        i0 = np.array([-1, 1, 2], np.int32)
    elif bad == "lengths":
        w = w[:2]
    else:
        wy1 = wy[:1]
    with pytest.raises(ValueError, match="kernel_mask_rows_positive"):
        core.kernel_mask_rows_positive("scalar", r, r, wy, wy1, i0, i1, w, np.full(3, 0.5, np.float32))


def test_proto_masks_no_instances():
    masks, origins = core.yolo_proto_masks(np.zeros((0, 4), np.float32), np.zeros((4, 8, 8), np.float32),
                                           np.zeros((0, 4), np.float32), 16, 16, (0.5, 0.5, 0, 0), 8, 8)
    assert masks == [] and origins.shape == (0, 2)


@settings(max_examples=40, deadline=None)
@given(
    frame_h=st.integers(1, 48), frame_w=st.integers(1, 48), in_h=st.integers(2, 16), in_w=st.integers(2, 16),
    letterbox=st.booleans(), seed=st.integers(0, 2**32 - 1),
)
def test_property_proto_masks(frame_h, frame_w, in_h, in_w, letterbox, seed):
    rng = np.random.default_rng(seed)
    frame_hw, input_hw = (frame_h, frame_w), (4 * in_h, 4 * in_w)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, letterbox)
    protos = rng.standard_normal((4, in_h, in_w)).astype(np.float32)
    boxes = random_boxes(rng, 6, frame_hw)
    check_proto(rng.standard_normal((6, 4)).astype(np.float32), protos, boxes, frame_hw, transform, input_hw)


# ---------------------------------------------------------- Mask R-CNN paste


def check_paste(masks, boxes, frame_hw):
    got, origins = core.paste_masks_box_local(masks, boxes, *frame_hw)
    for m, o, b in zip(got, origins, boxes):
        x0, y0, x1, y1 = ref.paste_region(b, masks.shape[-1], frame_hw)
        assert (o[0], o[1], m.shape[1], m.shape[0]) == (x0, y0, x1 - x0, y1 - y0), f"region of box {b}"
    probs = ref.paste_masks_in_image(masks, boxes, frame_hw)
    # Same float32 steps as PyTorch, in another blend order: values agree to
    # ~1e-6, so pixels can differ only with a probability that close to 0.5.
    assert_masks_match(to_full(got, origins, frame_hw), probs > 0.5, probs, 0.5, 1e-5, "paste")
    return got, origins


@pytest.mark.parametrize("frame_hw", [(120, 160), (37, 23), (1, 1), (300, 7)])
def test_paste_matches_torchvision_port(frame_hw, rng):
    boxes = np.concatenate([special_boxes(frame_hw), random_boxes(rng, 30, frame_hw)])
    masks = rng.random((len(boxes), 28, 28)).astype(np.float32)
    check_paste(masks, boxes, frame_hw)
    # Smooth masks (real ones are): large connected areas.
    yy, xx = np.mgrid[0:28, 0:28]
    blob = np.exp(-((yy - 13.5) ** 2 + (xx - 13.5) ** 2) / 80).astype(np.float32)
    check_paste(np.broadcast_to(blob, masks.shape), boxes, frame_hw)


@pytest.mark.parametrize("mask_size", [1, 2, 14])
def test_paste_other_mask_sizes_and_layout(mask_size, rng):
    frame_hw = (64, 80)
    boxes = random_boxes(rng, 10, frame_hw)
    masks = rng.random((10, 1, mask_size, mask_size)).astype(np.float32)  # torchvision's (N, 1, M, M)
    got, origins = check_paste(masks[:, 0], boxes, frame_hw)
    again, origins2 = core.paste_masks_box_local(masks, boxes, *frame_hw)
    assert np.array_equal(origins, origins2) and all(np.array_equal(a, b) for a, b in zip(got, again))


def test_paste_threshold_is_strict():
    # An all-0.5 mask on a box aligned to the pixel grid: the interior stays 0.5, which is not > 0.5.
    got, _ = core.paste_masks_box_local(np.full((1, 28, 28), 0.5, np.float32), np.array([[10, 10, 38, 38]], np.float32), 64, 64)
    assert not got[0].any()
    got, _ = core.paste_masks_box_local(np.full((1, 28, 28), 0.501, np.float32), np.array([[10, 10, 38, 38]], np.float32), 64, 64)
    assert got[0][2:-2, 2:-2].all()


# --------------------------------------------------------- full masks and RLE


def random_box_local(rng, n, frame_hw):
    masks, origins = [], []
    for _ in range(n):
        y0, x0 = rng.integers(0, frame_hw[0] + 1), rng.integers(0, frame_hw[1] + 1)
        h, w = rng.integers(0, frame_hw[0] - y0 + 1), rng.integers(0, frame_hw[1] - x0 + 1)
        masks.append(rng.random((h, w)) < rng.random())
        origins.append((x0, y0))
    return masks, np.array(origins, np.int64).reshape(-1, 2)


@pytest.mark.parametrize("frame_hw", [(1, 1), (5, 7), (48, 33), (240, 320)])
def test_paste_full_and_rle_round_trip(frame_hw, rng):
    masks, origins = random_box_local(rng, 25, frame_hw)
    masks += [np.ones(frame_hw, bool), np.zeros((0, 0), bool), np.eye(min(frame_hw), dtype=bool)]
    origins = np.concatenate([origins, [[0, 0], [0, 0], [0, 0]]])
    full = core.paste_full(masks, origins, *frame_hw)
    assert full.dtype == bool and full.shape == (len(masks), *frame_hw)
    assert np.array_equal(full, to_full(masks, origins, frame_hw))
    counts = core.rle_encode_box_local(masks, origins, *frame_hw)
    assert len(counts) == len(masks)
    for c, f in zip(counts, full):
        assert c.dtype == np.uint32 and int(c.sum()) == f.size
        assert np.array_equal(c, ref.rle_encode(f))
        assert np.array_equal(ref.rle_decode(c, frame_hw), f)
        assert len(c) == 1 or np.all(c[1:] > 0)  # only the first run (of 0s) may be empty


def test_rle_conventions():
    full = np.zeros((3, 4), bool)
    full[0, 0] = full[1, 0] = full[2, 1] = True
    # Column-major: column 0 is 1,1,0; column 1 is 0,0,1; then six 0s.
    counts = core.rle_encode_box_local([full[:, :2]], np.array([[0, 0]]), 3, 4)[0]
    assert counts.tolist() == [0, 2, 3, 1, 6]
    assert core.rle_encode_box_local([np.zeros((2, 2), bool)], np.array([[1, 1]]), 3, 4)[0].tolist() == [12]


def test_other_mask_and_origin_types_are_accepted():
    m = np.array([[0, 2], [1, 0]], np.uint8)  # non-zero is set
    assert core.paste_full([m], np.array([[1, 0]]), 2, 3).tolist() == [[[False, False, True], [False, True, False]]]
    # Read-only masks, int32 origins, a tuple of masks.
    frozen = np.array([[True, False]])
    frozen.flags.writeable = False
    origins = np.array([[1, 1]], np.int32)
    assert core.paste_full((frozen,), origins, 2, 3)[0, 1].tolist() == [False, True, False]
    assert core.rle_encode_box_local((frozen,), origins, 2, 3)[0].tolist() == [3, 1, 2]


@settings(max_examples=100, deadline=None)
@given(frame_h=st.integers(1, 12), frame_w=st.integers(1, 12), data=st.data())
def test_property_rle_round_trip(frame_h, frame_w, data):
    y0 = data.draw(st.integers(0, frame_h))
    x0 = data.draw(st.integers(0, frame_w))
    h = data.draw(st.integers(0, frame_h - y0))
    w = data.draw(st.integers(0, frame_w - x0))
    bits = data.draw(st.lists(st.booleans(), min_size=h * w, max_size=h * w))
    mask = np.array(bits, bool).reshape(h, w)
    counts = core.rle_encode_box_local([mask], np.array([[x0, y0]]), frame_h, frame_w)[0]
    full = to_full([mask], [(x0, y0)], (frame_h, frame_w))[0]
    assert np.array_equal(counts, ref.rle_encode(full))
    assert np.array_equal(ref.rle_decode(counts, (frame_h, frame_w)), full)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: core.yolo_proto_masks(np.zeros((2, 4), np.float32), np.zeros((3, 8, 8), np.float32),
                                       np.zeros((2, 4), np.float32), 8, 8, (1, 1, 0, 0), 8, 8), "disagree"),
        (lambda: core.yolo_proto_masks(np.zeros((2, 4), np.float32), np.zeros((4, 8, 8), np.float32),
                                       np.zeros((3, 4), np.float32), 8, 8, (1, 1, 0, 0), 8, 8), r"boxes must be \(2, 4\)"),
        (lambda: core.yolo_proto_masks(np.zeros((1, 4), np.float32), np.zeros((4, 8, 8), np.float32),
                                       np.array([[0, 0, np.nan, 1]], np.float32), 8, 8, (1, 1, 0, 0), 8, 8), "not finite"),
        (lambda: core.yolo_proto_masks(np.zeros((1, 4), np.float32), np.zeros((4, 8, 8), np.float32),
                                       np.zeros((1, 4), np.float32), 8, 8, (-1, 1, 0, 0), 8, 8), "transform"),
        (lambda: core.yolo_proto_masks(np.zeros((1, 4), np.float32), np.zeros((4, 8, 8), np.float32),
                                       np.zeros((1, 4), np.float32), 0, 8, (1, 1, 0, 0), 8, 8), "sizes"),
        (lambda: core.paste_masks_box_local(np.zeros((2, 28, 27), np.float32), np.zeros((2, 4), np.float32), 8, 8),
         r"\(N, M, M\)"),
        (lambda: core.paste_masks_box_local(np.zeros((2, 28, 28), np.float32), np.zeros((1, 4), np.float32), 8, 8),
         r"boxes must be \(2, 4\)"),
        (lambda: core.paste_masks_box_local(np.zeros((1, 28, 28), np.float32), np.full((1, 4), 1e10, np.float32), 8, 8),
         "2\\^30"),
        (lambda: core.paste_full([np.zeros((2, 2), bool)], np.array([[7, 0]]), 8, 8), "does not fit"),
        (lambda: core.paste_full([np.zeros((2, 2), bool)], np.array([[-1, 0]]), 8, 8), "does not fit"),
        (lambda: core.paste_full([np.zeros((2, 2), bool)], np.zeros((2, 2), np.int64), 8, 8), "origins must be"),
        (lambda: core.paste_full([np.zeros(4, bool)], np.zeros((1, 2), np.int64), 8, 8), "2-D"),
        (lambda: core.paste_full([], np.zeros((0, 2), np.int64), 0, 8), "frame size"),
        (lambda: core.rle_encode_box_local([np.zeros((2, 2), bool)], np.array([[0, 7]]), 8, 8), "does not fit"),
        (lambda: core.rle_encode_box_local([], np.zeros((0, 2), np.int64), 70000, 70000), "2\\^32"),
    ],
)
def test_bad_arguments(call, match):
    with pytest.raises(ValueError, match=match):
        call()
