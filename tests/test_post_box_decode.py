"""Box decoders, unletterbox and detect_postprocess (csrc/post/box_decode.h) against the
numpy references (tests/reference/box_decode.py). The YOLO decoders and unletterbox
use the reference's float32 operations, so they must match exactly; SSD goes through
exp / softmax and is compared with a tolerance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import edgecnn
from reference import box_decode as ref

core = edgecnn._core
PROPERTY = settings(max_examples=60, deadline=None)
# Quantized scores make ties between classes (and with the threshold) likely.
score_values = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 1, width=32))
thresholds = st.one_of(st.sampled_from([0.0, 0.25, 0.5, 1.0]), st.floats(0, 1))


def assert_same_candidates(got, want, exact=True):
    names = ("boxes", "scores", "class_ids", "anchor_indices")
    for name, g, w, dtype in zip(names, got, want, (np.float32, np.float32, np.int32, np.int64)):
        assert g.dtype == dtype, name
        if exact or name in ("class_ids", "anchor_indices"):
            np.testing.assert_array_equal(g, w, err_msg=name)
        else:
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-3, err_msg=name)
    assert got[0].shape == (len(got[1]), 4)


def random_centers(rng, n, size=640):
    """cx, cy, w, h rows [4, n] in input pixels, some boxes reaching past the borders."""
    return np.stack([rng.uniform(-20, size + 20, n), rng.uniform(-20, size + 20, n),
                     rng.uniform(0, 300, n), rng.uniform(0, 300, n)]).astype(np.float32)


def quantized_scores(rng, shape):
    """Scores in [0, 1] with many exact ties."""
    return (rng.integers(0, 9, shape) / 8).astype(np.float32)


# --- YOLOv8 / YOLO11 ---------------------------------------------------------------

@st.composite
def yolov8_outputs(draw):
    n = draw(st.integers(0, 40))
    nc = draw(st.integers(1, 6))
    nm = draw(st.sampled_from([0, 3]))
    boxes = draw(arrays(np.float32, (4, n), elements=st.floats(-50, 700, width=32)))
    scores = draw(arrays(np.float32, (nc, n), elements=score_values))
    masks = np.full((nm, n), 7.0, np.float32)
    output = np.concatenate([boxes, scores, masks])
    return (output[None] if draw(st.booleans()) else output), nc


@PROPERTY
@given(problem=yolov8_outputs(), score_threshold=thresholds, multi_label=st.booleans())
def test_yolov8_matches_reference(problem, score_threshold, multi_label):
    output, nc = problem
    got = core.decode_yolov8(output, nc, score_threshold=score_threshold, multi_label=multi_label)
    assert_same_candidates(got, ref.decode_yolov8(output, nc, score_threshold, multi_label))


@pytest.mark.parametrize("multi_label", [False, True])
def test_yolov8_seg_output_of_realistic_size(rng, multi_label):
    nc, nm, n = 80, 32, 8400
    output = np.concatenate([random_centers(rng, n), quantized_scores(rng, (nc, n)) ** 4,
                             rng.normal(size=(nm, n)).astype(np.float32)])[None]
    got = core.decode_yolov8(output, nc, score_threshold=0.5, multi_label=multi_label)
    assert_same_candidates(got, ref.decode_yolov8(output, nc, 0.5, multi_label))
    assert len(got[1]) > 0


@pytest.mark.parametrize("n", [1023, 1024, 1025, 2047, 2049])
def test_yolov8_anchor_counts_around_the_chunks(rng, n):
    # The best-class search runs in chunks of 1024 anchors on the thread pool.
    nc = 5
    output = np.concatenate([random_centers(rng, n), quantized_scores(rng, (nc, n))])[None]
    got = core.decode_yolov8(output, nc, score_threshold=0.3)
    assert_same_candidates(got, ref.decode_yolov8(output, nc, 0.3, False))
    assert got[3].max() >= n - 8  # the last chunk's anchors are there


def test_yolov8_best_class_and_box_corners():
    # anchor 0: classes 1 and 2 tie at 0.8 -> class 1; anchor 1: below the threshold.
    output = np.array([[100, 50], [200, 60], [40, 10], [20, 10],
                       [0.1, 0.1], [0.8, 0.2], [0.8, 0.3]], np.float32)[None]
    boxes, scores, classes, anchors = core.decode_yolov8(output, 3, score_threshold=0.5)
    np.testing.assert_array_equal(boxes, [[80, 190, 120, 210]])
    np.testing.assert_array_equal(scores, np.float32([0.8]))
    np.testing.assert_array_equal(classes, [1])
    np.testing.assert_array_equal(anchors, [0])
    _, _, classes, anchors = core.decode_yolov8(output, 3, score_threshold=0.25, multi_label=True)
    np.testing.assert_array_equal(classes, [1, 2, 2])  # anchor order, then class order
    np.testing.assert_array_equal(anchors, [0, 0, 1])


def test_non_finite_boxes_are_dropped():
    output = np.array([[10, np.nan, 10], [10, 10, 10], [4, 4, np.inf], [4, 4, 4], [0.9, 0.9, 0.9]], np.float32)
    _, _, _, anchors = core.decode_yolov8(output, 1)
    np.testing.assert_array_equal(anchors, [0])
    _, _, _, anchors = core.decode_yolov8(output, 1, multi_label=True)
    np.testing.assert_array_equal(anchors, [0])


# --- YOLOv5 ------------------------------------------------------------------------

@st.composite
def yolov5_outputs(draw):
    n = draw(st.integers(0, 40))
    nc = draw(st.integers(1, 6))
    nm = draw(st.sampled_from([0, 2]))
    boxes = draw(arrays(np.float32, (n, 4), elements=st.floats(-50, 700, width=32)))
    scores = draw(arrays(np.float32, (n, 1 + nc), elements=score_values))
    output = np.concatenate([boxes, scores, np.full((n, nm), 3.0, np.float32)], axis=1)
    return (output[None] if draw(st.booleans()) else output), nc


@PROPERTY
@given(problem=yolov5_outputs(), score_threshold=thresholds, multi_label=st.booleans())
def test_yolov5_matches_reference(problem, score_threshold, multi_label):
    output, nc = problem
    got = core.decode_yolov5(output, nc, score_threshold=score_threshold, multi_label=multi_label)
    assert_same_candidates(got, ref.decode_yolov5(output, nc, score_threshold, multi_label))


def test_yolov5_score_is_objectness_times_class_score():
    output = np.array([[100, 200, 40, 20, 0.5, 0.2, 0.9],
                       [100, 200, 40, 20, 0.2, 1.0, 1.0]], np.float32)  # objectness too low
    boxes, scores, classes, anchors = core.decode_yolov5(output, 2, score_threshold=0.3)
    np.testing.assert_array_equal(scores, np.float32([0.5]) * np.float32([0.9]))
    np.testing.assert_array_equal(classes, [1])
    np.testing.assert_array_equal(anchors, [0])
    np.testing.assert_array_equal(boxes, [[80, 190, 120, 210]])


# --- SSD ---------------------------------------------------------------------------

def threshold_between_scores(scores, near=0.5):
    """A threshold at least 1e-4 from every score, so float rounding cannot flip a candidate."""
    values = np.unique(np.concatenate([[0.0, 1.0], scores.ravel()]))
    gaps = np.flatnonzero(np.diff(values) > 2e-4)
    best = gaps[np.argmin(np.abs(values[gaps] - near))]
    return float(values[best] + values[best + 1]) / 2


def ssd_problem(rng, n, num_columns, logits):
    anchors = random_centers(rng, n).T.copy()
    deltas = rng.normal(0, 1.5, (1, n, 4)).astype(np.float32)
    deltas[0, :5, 2:] = 100  # beyond the clip of exp
    raw = rng.normal(0, 2, (1, n, num_columns)).astype(np.float32)
    scores = raw if logits else ref.softmax(raw).astype(np.float32)
    probabilities = ref.softmax(raw.astype(np.float64))[0, :, 1:]
    return anchors, deltas, scores, threshold_between_scores(probabilities, near=0.3)


@pytest.mark.parametrize("logits", [False, True])
@pytest.mark.parametrize("multi_label", [False, True])
@pytest.mark.parametrize("weights", [(10.0, 10.0, 5.0, 5.0), (1.0, 2.0, 0.5, 3.0)])
def test_ssd_matches_reference(rng, logits, multi_label, weights):
    anchors, deltas, scores, threshold = ssd_problem(rng, 600, 6, logits)
    kwargs = dict(score_threshold=threshold, box_coder_weights=weights, scores_are_logits=logits,
                  multi_label=multi_label)
    got = core.decode_ssd(anchors, deltas, scores, **kwargs)
    assert_same_candidates(got, ref.decode_ssd(anchors, deltas, scores, **kwargs), exact=False)
    assert len(got[1]) > 0 and got[2].min() >= 1  # column 0 is the background


def test_ssd_clamps_size_deltas_like_torchvision():
    anchors = np.array([[100, 100, 10, 20]], np.float32)
    deltas = np.array([[[0, 0, 1e3, -1e3]]], np.float32)
    scores = np.array([[[0.1, 0.9]]], np.float32)
    boxes, *_ = core.decode_ssd(anchors, deltas, scores)
    w = 10 * 1000 / 16  # exp(log(1000 / 16)) * anchor width
    h = 20 * np.exp(-1e3 / 5)
    np.testing.assert_allclose(boxes, [[100 - w / 2, 100 - h / 2, 100 + w / 2, 100 + h / 2]], rtol=1e-5)


def test_ssd_background_is_never_a_candidate():
    anchors = np.array([[10, 10, 4, 4]], np.float32)
    scores = np.array([[1.0, 0.0, 0.0]], np.float32)
    got = core.decode_ssd(anchors, np.zeros((1, 4), np.float32), scores, score_threshold=-1.0, multi_label=True)
    np.testing.assert_array_equal(got[2], [1, 2])


# --- unletterbox -------------------------------------------------------------------

@settings(max_examples=60, deadline=None)
@given(boxes=arrays(np.float32, st.tuples(st.integers(0, 20), st.just(4)), elements=st.floats(-500, 1500, width=32)),
       scale=st.tuples(st.floats(0.05, 4), st.floats(0.05, 4)), pad=st.tuples(st.floats(-50, 300), st.floats(-50, 300)),
       frame_size=st.tuples(st.integers(1, 2000), st.integers(1, 2000)))
def test_unletterbox_matches_reference(boxes, scale, pad, frame_size):
    got = core.unletterbox_boxes(boxes, frame_size, scale=scale, pad=pad)
    np.testing.assert_array_equal(got, ref.unletterbox_boxes(boxes, frame_size, scale, pad))
    assert got.dtype == np.float32 and got.shape == boxes.shape


def test_unletterbox_maps_and_clips():
    # 640x480 frame letterboxed into 640x640: scale 1, 80 px of padding above and below.
    boxes = np.array([[10, 90, 110, 190], [-30, 40, 700, 700]], np.float32)
    got = core.unletterbox_boxes(boxes, (640, 480), scale=(1.0, 1.0), pad=(0.0, 80.0))
    np.testing.assert_array_equal(got, [[10, 10, 110, 110], [0, 0, 640, 480]])
    np.testing.assert_array_equal(boxes[0], [10, 90, 110, 190])  # the input is left alone


# --- detect_postprocess ------------------------------------------------------------

def yolov8_problem(rng, nc=5, nm=0, n=2000):
    centers = random_centers(rng, n)
    centers[:, n // 2:] = centers[:, : n - n // 2] + rng.normal(0, 4, (4, n - n // 2)).astype(np.float32)
    return np.concatenate([centers, quantized_scores(rng, (nc, n)) ** 2, np.ones((nm, n), np.float32)])[None]


LETTERBOX = dict(frame_size=(1280, 720), scale=(0.5, 0.5), pad=(0.0, 140.0))


@pytest.mark.parametrize("multi_label", [False, True])
@pytest.mark.parametrize("class_agnostic", [False, True])
def test_detect_postprocess_yolov8(isa, rng, multi_label, class_agnostic):
    output = yolov8_problem(rng, nm=32)
    options = dict(num_classes=5, score_threshold=0.2, iou_threshold=0.5, max_det=100, pre_nms_top_k=1000,
                   class_agnostic=class_agnostic, multi_label=multi_label, **LETTERBOX)
    frame_size = options.pop("frame_size")
    got = core.detect_postprocess([output], "yolov8", frame_size, isa=isa, **options)
    assert_same_candidates(got, ref.detect_postprocess([output], "yolov8", frame_size, **options))
    assert 0 < len(got[1]) <= 100


def test_detect_postprocess_yolov5(rng):
    nc = 4
    output = yolov8_problem(rng, nc=nc + 1)[0].T.copy()  # [N, 4 + 1 + nc]: objectness, then class scores
    options = dict(num_classes=nc, score_threshold=0.1, iou_threshold=0.45, scale=(2.0, 2.0), pad=(0.0, 0.0))
    got = core.detect_postprocess([output[None]], "yolov5", (1280, 1280), **options)
    assert_same_candidates(got, ref.detect_postprocess([output], "yolov5", (1280, 1280), **options))
    assert len(got[1]) > 0


def test_detect_postprocess_ssd(rng):
    anchors, deltas, scores, threshold = ssd_problem(rng, 800, 4, logits=True)
    options = dict(anchors=anchors, score_threshold=threshold, scores_are_logits=True, iou_threshold=0.5,
                   **LETTERBOX)
    frame_size = options.pop("frame_size")
    got = core.detect_postprocess([deltas, scores], "ssd", frame_size, **options)
    assert_same_candidates(got, ref.detect_postprocess([deltas, scores], "ssd", frame_size, **options), exact=False)


def test_detect_postprocess_with_no_candidates():
    output = np.zeros((1, 84, 8400), np.float32)
    got = core.detect_postprocess([output], "yolo11", (640, 480), num_classes=80)
    assert [a.shape for a in got] == [(0, 4), (0,), (0,), (0,)]


# --- argument checks ---------------------------------------------------------------

@pytest.mark.parametrize("call, message", [
    (lambda: core.decode_yolov8(np.zeros((1, 8, 10)), 5),
     r"output must have shape \[1, 4 \+ num_classes \+ nm, N\] with at least 4 \+ num_classes = 9 rows, got \[1, 8, 10\]"),
    (lambda: core.decode_yolov8(np.zeros((1, 8, 10)), 0), "num_classes must be >= 1, got 0"),
    (lambda: core.decode_yolov5(np.zeros((1, 8, 10)), -1), "decode_yolov5: num_classes must be >= 1"),
    (lambda: core.decode_yolov8(np.zeros((2, 8, 10)), 1), r"decode_yolov8: output must have shape"),
    (lambda: core.decode_yolov8(np.zeros(10), 1), r"got \[10\]"),
    (lambda: core.decode_yolov8(np.zeros((8, 10)), 1, score_threshold=float("nan")), "score_threshold is NaN"),
    (lambda: core.decode_yolov5(np.zeros((1, 10, 7)), 3), r"decode_yolov5: output must have shape \[1, N, 5"),
    (lambda: core.decode_ssd(np.zeros((5, 3)), np.zeros((5, 4)), np.zeros((5, 3))), r"anchors must have shape \[N, 4\]"),
    (lambda: core.decode_ssd(np.zeros((5, 4)), np.zeros((4, 4)), np.zeros((5, 3))), r"deltas must have shape .* N = 5"),
    (lambda: core.decode_ssd(np.zeros((5, 4)), np.zeros((5, 4)), np.zeros((5, 1))), r"scores must have shape .* C >= 2"),
    (lambda: core.decode_ssd(np.zeros((5, 4)), np.zeros((5, 4)), np.zeros((5, 3)), box_coder_weights=(1, 1, 0, 1)),
     "box coder weights must be finite and > 0"),
    (lambda: core.unletterbox_boxes(np.zeros((2, 3)), (10, 10)), r"boxes must have shape \[N, 4\]"),
    (lambda: core.unletterbox_boxes(np.zeros((2, 4)), (10, 10), scale=(0.0, 1.0)), "scale_x and scale_y must be"),
    (lambda: core.unletterbox_boxes(np.zeros((2, 4)), (0, 10)), "frame size must be at least 1 x 1"),
    (lambda: core.unletterbox_boxes(np.zeros((2, 4)), (10, 10), pad=(np.inf, 0)), "pad_x and pad_y must be finite"),
    (lambda: core.detect_postprocess([np.zeros((1, 9, 4))], "yolov7", (10, 10)), "unknown box decoder 'yolov7'"),
    (lambda: core.detect_postprocess([np.zeros((1, 9, 4))] * 2, "yolov8", (10, 10), num_classes=5),
     "the yolov8 decoder takes 1 output"),
    (lambda: core.detect_postprocess([np.zeros((5, 4))], "ssd", (10, 10), anchors=np.zeros((5, 4))),
     r"the ssd decoder takes 2 outputs \(deltas, scores\), got 1"),
    (lambda: core.detect_postprocess([np.zeros((5, 4)), np.zeros((5, 3))], "ssd", (10, 10)),
     r"anchors must have shape \[N, 4\], got \[\]"),
    (lambda: core.detect_postprocess([np.zeros((1, 9, 4))], "yolov8", (10, 10), num_classes=5, iou_threshold=2.0),
     "iou_threshold must be in"),
    (lambda: core.detect_postprocess([np.zeros((1, 9, 4))], "yolov8", (10, 0), num_classes=5), "frame size"),
])
def test_invalid_arguments(call, message):
    with pytest.raises(ValueError, match=message):
        call()
