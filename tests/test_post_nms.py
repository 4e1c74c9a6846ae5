"""NMS (csrc/post/nms.h) against the numpy reference (tests/reference/nms.py) on every
ISA tier: kept sets must be identical, not close, since all tiers and the reference
compute IoU with the same float32 operations."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import edgecnn
from reference import nms as ref

nms = edgecnn._core.nms

# The isa fixture only names a tier: sharing it across hypothesis examples is fine.
PROPERTY = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Small integer coordinates make exact ties, touching and identical boxes likely;
# sizes include 0 and negatives (degenerate boxes, x2 < x1).
coords = st.one_of(st.integers(-4, 24).map(float), st.floats(-30, 60, width=32))
sizes = st.one_of(st.sampled_from([0.0, -1.0, 1.0, 2.0, 4.0, 8.0]), st.floats(-5, 40, width=32))
score_values = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), st.floats(0, 1, width=32))
thresholds = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 1))


@st.composite
def nms_problems(draw, max_boxes=48):
    n = draw(st.integers(0, max_boxes))
    corner = draw(arrays(np.float32, (n, 2), elements=coords))
    size = draw(arrays(np.float32, (n, 2), elements=sizes))
    boxes = np.concatenate([corner, corner + size], axis=1)
    scores = draw(arrays(np.float32, n, elements=score_values))
    num_classes = draw(st.sampled_from([1, 2, 5]))
    classes = draw(arrays(np.int32, n, elements=st.integers(0, num_classes - 1)))
    options = dict(
        score_threshold=draw(st.one_of(thresholds, st.just(-1.0))),
        iou_threshold=draw(thresholds),
        max_det=draw(st.integers(1, max_boxes + 2)),
        pre_nms_top_k=draw(st.integers(1, max_boxes + 2)),
        class_agnostic=draw(st.booleans()),
    )
    return boxes, scores, classes, options


def check_against_reference(boxes, scores, classes, isa, **options):
    got = nms(boxes, scores, classes, isa=isa, **options)
    want = ref.nms(boxes, scores, classes, **options)
    assert got.dtype == np.int64
    np.testing.assert_array_equal(got, want, err_msg=f"isa={isa} options={options}")
    return got


@PROPERTY
@given(problem=nms_problems())
def test_matches_reference(isa, problem):
    boxes, scores, classes, options = problem
    keep = check_against_reference(boxes, scores, classes, isa, **options)
    # Independent invariants: best first, and no two kept boxes of one class overlap too much.
    assert np.all(np.diff(scores[keep]) <= 0)
    for a in range(len(keep)):
        same = (options["class_agnostic"]) | (classes[keep[a + 1:]] == classes[keep[a]])
        iou = ref.iou_one_to_many(boxes[keep[a]], boxes[keep[a + 1:]])
        assert not np.any(same & (iou > np.float32(options["iou_threshold"])))


def random_clustered_problem(rng, n, num_classes, objects=60):
    """Boxes jittered around a few objects (as a detector's candidates), plus scattered ones."""
    centers = rng.uniform(0, 640, (objects, 2))
    sizes = rng.uniform(8, 200, (objects, 2))
    pick = rng.integers(0, objects, n)
    center = centers[pick] + rng.normal(0, 0.08, (n, 2)) * sizes[pick]
    size = sizes[pick] * rng.uniform(0.7, 1.3, (n, 2))
    boxes = np.concatenate([center - size / 2, center + size / 2], axis=1).astype(np.float32)
    scores = rng.uniform(0, 1, n).astype(np.float32)
    classes = np.where(rng.uniform(size=n) < 0.8, pick % num_classes, rng.integers(0, num_classes, n)).astype(np.int32)
    return boxes, scores, classes


@pytest.mark.parametrize("num_classes", [1, 3, 80])
@pytest.mark.parametrize("class_agnostic", [False, True])
def test_large_inputs_identical_on_every_tier(rng, num_classes, class_agnostic):
    boxes, scores, classes = random_clustered_problem(rng, 4000, num_classes)
    options = dict(score_threshold=0.05, iou_threshold=0.5, max_det=4000, pre_nms_top_k=4000,
                   class_agnostic=class_agnostic)
    want = ref.nms(boxes, scores, classes, **options)
    for isa in edgecnn._core.available_isas():
        np.testing.assert_array_equal(nms(boxes, scores, classes, isa=isa, **options), want, err_msg=isa)


def grid_boxes(count, cell=20.0, size=10.0):
    """count disjoint boxes, 8 per row."""
    i = np.arange(count)
    x, y = (i % 8) * cell, (i // 8) * cell
    return np.stack([x, y, x + size, y + size], axis=1).astype(np.float32)


@pytest.mark.parametrize("kept_count", [15, 16, 17, 31, 32, 33])
def test_kept_counts_around_simd_widths(isa, kept_count):
    # kept_count disjoint boxes are all kept; then one near-copy of each kept box
    # (so every lane position, including the partial last group, must report the
    # overlap) is suppressed; a last disjoint box survives.
    kept = grid_boxes(kept_count)
    copies = kept + np.float32(0.5)
    lone = grid_boxes(kept_count + 1)[-1:] + np.float32(1000)
    boxes = np.concatenate([kept, copies, lone])
    scores = np.linspace(1.0, 0.1, len(boxes)).astype(np.float32)
    keep = check_against_reference(boxes, scores, None, isa, score_threshold=0.0, iou_threshold=0.5,
                                   max_det=1000)
    np.testing.assert_array_equal(keep, list(range(kept_count)) + [len(boxes) - 1])


def test_equal_scores_keep_the_lower_index_first(isa):
    boxes = grid_boxes(6)
    scores = np.array([0.5, 0.9, 0.5, -0.0, 0.9, 0.0], np.float32)
    keep = nms(boxes, scores, score_threshold=-1.0, isa=isa)
    np.testing.assert_array_equal(keep, [1, 4, 0, 2, 3, 5])  # -0 and +0 tie too
    # Of two identical boxes with equal scores, the first one survives.
    same = np.array([[0, 0, 10, 10]] * 3, np.float32)
    np.testing.assert_array_equal(nms(same, np.full(3, 0.7, np.float32), isa=isa), [0])


def test_degenerate_boxes_never_suppress_nor_are_suppressed(isa):
    boxes = np.array([
        [0, 0, 10, 10],
        [0, 0, 0, 10],    # zero width
        [10, 0, 0, 10],   # x2 < x1
        [5, 5, 5, 5],     # a point
        [10, 10, 0, 0],   # both reversed: positive "area", still empty
        [0, 0, 10, 10],   # a copy of box 0
    ], np.float32)
    scores = np.array([0.5, 0.9, 0.9, 0.9, 0.9, 0.4], np.float32)
    keep = check_against_reference(boxes, scores, None, isa, score_threshold=0.0, iou_threshold=0.0)
    np.testing.assert_array_equal(keep, [1, 2, 3, 4, 0])


def test_iou_threshold_bounds(isa):
    boxes = np.array([[0, 0, 10, 10], [0, 0, 10, 10], [10, 0, 20, 10], [9, 0, 19, 10]], np.float32)
    scores = np.array([0.9, 0.8, 0.7, 0.6], np.float32)
    # IoU 1 is not above 1: identical boxes both survive.
    np.testing.assert_array_equal(nms(boxes, scores, iou_threshold=1.0, isa=isa), [0, 1, 2, 3])
    # At 0, any overlap suppresses; touching (box 2) is no overlap.
    np.testing.assert_array_equal(nms(boxes, scores, iou_threshold=0.0, isa=isa), [0, 2])


def test_classes_are_independent_unless_agnostic(isa):
    boxes = np.array([[0, 0, 10, 10], [1, 1, 11, 11], [0, 0, 10, 10]], np.float32)
    scores = np.array([0.9, 0.8, 0.7], np.float32)
    classes = np.array([3, 7, 3], np.int32)
    np.testing.assert_array_equal(nms(boxes, scores, classes, isa=isa), [0, 1])
    np.testing.assert_array_equal(nms(boxes, scores, classes, class_agnostic=True, isa=isa), [0])
    np.testing.assert_array_equal(nms(boxes, scores, None, isa=isa), [0])


@pytest.mark.parametrize("spread", [1, 1 << 30])
def test_any_class_ids(isa, rng, spread):
    # Negative, huge and sparse ids take the other bucketing path.
    boxes, scores, _ = random_clustered_problem(rng, 500, 1, objects=10)
    classes = (rng.integers(-3, 4, len(boxes)) * spread).astype(np.int32)
    check_against_reference(boxes, scores, classes, isa, score_threshold=0.0, iou_threshold=0.4, max_det=500)


def test_score_threshold_is_strict_and_drops_nan(isa):
    boxes = grid_boxes(4)
    scores = np.array([0.25, np.nan, 0.3, 1.0], np.float32)
    np.testing.assert_array_equal(nms(boxes, scores, score_threshold=0.25, isa=isa), [3, 2])
    np.testing.assert_array_equal(nms(boxes, scores, score_threshold=1.0, isa=isa), [])


def test_max_det_and_pre_nms_top_k(isa):
    boxes = grid_boxes(10)
    scores = np.linspace(0.9, 0.3, 10).astype(np.float32)[::-1].copy()  # ascending: best is last
    np.testing.assert_array_equal(nms(boxes, scores, max_det=3, isa=isa), [9, 8, 7])
    np.testing.assert_array_equal(nms(boxes, scores, pre_nms_top_k=2, isa=isa), [9, 8])
    # pre_nms_top_k cuts before NMS: a suppressed candidate still takes a place.
    dup = np.concatenate([boxes[:1], boxes[:1], boxes[1:2]])
    np.testing.assert_array_equal(nms(dup, np.array([0.9, 0.8, 0.7], np.float32), pre_nms_top_k=2, isa=isa), [0])


def test_empty_input(isa):
    keep = nms(np.zeros((0, 4), np.float32), np.zeros(0, np.float32), np.zeros(0, np.int32), isa=isa)
    assert keep.shape == (0,) and keep.dtype == np.int64


def test_accepts_other_dtypes_and_layouts(isa):
    boxes = np.asfortranarray(grid_boxes(5).astype(np.float64))
    keep = nms(boxes, [0.9, 0.8, 0.7, 0.6, 0.5], [0, 0, 1, 1, 2], isa=isa)
    np.testing.assert_array_equal(keep, [0, 1, 2, 3, 4])


@pytest.mark.parametrize("args, kwargs, message", [
    ((np.zeros((3, 5)), np.zeros(3)), {}, r"boxes must have shape \[N, 4\], got \[3, 5\]"),
    ((np.zeros(12), np.zeros(3)), {}, r"boxes must have shape \[N, 4\]"),
    ((np.zeros((3, 4)), np.zeros(2)), {}, r"scores must have shape \[N\]"),
    ((np.zeros((3, 4)), np.zeros(3), np.zeros(4)), {}, r"classes must have shape \[N\]"),
    ((np.zeros((1, 4)), np.ones(1)), {"iou_threshold": 1.5}, "iou_threshold must be in"),
    ((np.zeros((1, 4)), np.ones(1)), {"iou_threshold": -0.1}, "iou_threshold must be in"),
    ((np.zeros((1, 4)), np.ones(1)), {"iou_threshold": float("nan")}, "iou_threshold must be in"),
    ((np.zeros((1, 4)), np.ones(1)), {"score_threshold": float("nan")}, "score_threshold is NaN"),
    ((np.zeros((1, 4)), np.ones(1)), {"max_det": 0}, "max_det must be >= 1"),
    ((np.zeros((1, 4)), np.ones(1)), {"pre_nms_top_k": 0}, "pre_nms_top_k must be >= 1"),
    ((np.array([[0, 0, np.inf, 1]]), np.ones(1)), {}, r"boxes\[0\] has a non-finite coordinate"),
    ((np.array([[0, 0, 1, 1], [0, np.nan, 1, 1]]), np.ones(2)), {}, r"boxes\[1\] has a non-finite"),
    ((np.zeros((1, 4)), np.ones(1)), {"isa": "sse9"}, "unknown ISA tier 'sse9'"),
])
def test_invalid_arguments(args, kwargs, message):
    with pytest.raises(ValueError, match=message):
        nms(*args, **kwargs)
