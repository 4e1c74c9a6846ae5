"""Semantic segmentation maps (csrc/post/segment) against the numpy reference:
letterbox padding removed, logits resized to the frame, argmax, softmax scores."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edgecnn
from reference import dense_post as ref
from reference import preprocess as ref_pre

core = edgecnn._core

# Resampled logits: float32 (C++) vs float64 (reference) coordinates and blends.
LOGIT_TOL = 1e-4


def check(logits, frame_hw, transform, input_hw):
    ids, scores = core.segment_map(logits, *frame_hw, transform, *input_hw, True)
    ids_only, none = core.segment_map(logits, *frame_hw, transform, *input_hw, False)
    want_ids, want_scores, up = ref.segment_map(logits, frame_hw, transform, input_hw)
    assert none is None and np.array_equal(ids, ids_only)
    assert ids.shape == tuple(frame_hw) and ids.dtype == want_ids.dtype
    assert scores.shape == (logits.shape[0], *frame_hw) and scores.dtype == np.float32
    np.testing.assert_allclose(scores, want_scores, rtol=0, atol=2e-5)
    # The class may differ only where the two best logits are within rounding.
    top2 = np.sort(up, axis=0)[-2:] if up.shape[0] > 1 else np.concatenate([up - 1, up])
    ambiguous = (top2[1] - top2[0]) < LOGIT_TOL
    wrong = (ids != want_ids) & ~ambiguous
    assert not wrong.any(), f"{wrong.sum()} pixels differ, first at {np.argwhere(wrong)[0]}"
    return ids, scores


def letterbox_case(rng, frame_hw, input_hw, num_classes, grid_div=1):
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, True)
    grid = (input_hw[0] // grid_div, input_hw[1] // grid_div)
    logits = (rng.standard_normal((num_classes, *grid)) * 3).astype(np.float32)
    return logits, transform


@pytest.mark.parametrize("num_classes", [1, 2, 21])
@pytest.mark.parametrize(
    "frame_hw,input_hw",
    [((48, 64), (64, 64)), ((64, 48), (64, 64)), ((37, 91), (32, 48)), ((1, 1), (16, 16)), ((300, 11), (64, 64)),
     ((20, 20), (96, 96))],
)
def test_letterbox_matches_reference(num_classes, frame_hw, input_hw, rng):
    logits, transform = letterbox_case(rng, frame_hw, input_hw, num_classes)
    ids, scores = check(logits, frame_hw, transform, input_hw)
    if num_classes == 1:
        assert not ids.any() and np.all(scores == 1)


@pytest.mark.parametrize("frame_hw", [(48, 64), (33, 17), (128, 96)])
def test_resize_and_coarse_grid(frame_hw, rng):
    input_hw = (64, 64)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, False)
    check(rng.standard_normal((5, 64, 64)).astype(np.float32), frame_hw, transform, input_hw)
    # A head at 1/4 of the input, letterboxed.
    logits, transform = letterbox_case(rng, frame_hw, input_hw, 4, grid_div=4)
    check(logits, frame_hw, transform, input_hw)


@pytest.mark.parametrize("num_classes", [2, 21])
@pytest.mark.parametrize("letterbox", [False, True], ids=["resize", "letterbox"])
def test_smooth_logits_upscaled(num_classes, letterbox, rng):
    # Real heads give class regions: most pixels have four source cells of one
    # class (the C++ shortcut), the rest lie on boundaries.
    frame_hw, input_hw = (150, 200), (32, 48)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, letterbox)
    logits = np.kron(rng.standard_normal((num_classes, 8, 12)), np.ones((4, 4))).astype(np.float32)
    ids, _ = check(logits, frame_hw, transform, input_hw)
    assert len(np.unique(ids)) > 1


def test_padding_never_leaks(rng):
    # Class 1 wins everywhere in the padding and nowhere in the image: no frame
    # pixel, even on the edges next to the padding, may take it.
    frame_hw, input_hw = (30, 64), (64, 64)
    *_, transform = ref_pre.place_frame(*frame_hw, *input_hw, True)
    pad_y = int(transform[3])
    logits = np.zeros((2, 64, 64), np.float32)
    logits[0] = rng.uniform(0.1, 1, (64, 64))
    logits[1, :pad_y] = logits[1, pad_y + 30 :] = 100
    ids, scores = core.segment_map(logits, *frame_hw, transform, *input_hw, True)
    assert not ids.any()
    assert scores[1].max() < 0.5


def test_identity_is_plain_argmax(rng):
    logits = rng.standard_normal((7, 13, 29)).astype(np.float32)
    ids, scores = core.segment_map(logits, 13, 29, (1.0, 1.0, 0.0, 0.0), 13, 29, True)
    assert np.array_equal(ids, logits.argmax(0))
    np.testing.assert_allclose(scores, ref.softmax(logits.astype(np.float64), 0), atol=1e-6)
    # A batch axis of one is accepted.
    assert np.array_equal(core.segment_map(logits[None], 13, 29, (1.0, 1.0, 0.0, 0.0), 13, 29, False)[0], ids)


def test_many_classes_use_int32(rng):
    logits = rng.standard_normal((300, 8, 8)).astype(np.float32)
    logits[299, 2:4, 2:4] = 50
    ids, _ = core.segment_map(logits, 8, 8, (1.0, 1.0, 0.0, 0.0), 8, 8, False)
    assert ids.dtype == np.int32 and np.array_equal(ids, logits.argmax(0)) and ids[3, 3] == 299
    assert core.segment_map(logits[:256], 8, 8, (1.0, 1.0, 0.0, 0.0), 8, 8, False)[0].dtype == np.uint8


def test_ties_go_to_the_lower_class():
    logits = np.zeros((3, 4, 4), np.float32)
    logits[1:] = 1
    assert np.all(core.segment_map(logits, 9, 9, (4 / 9, 4 / 9, 0.0, 0.0), 4, 4, False)[0] == 1)


@settings(max_examples=40, deadline=None)
@given(
    frame_h=st.integers(1, 40), frame_w=st.integers(1, 40), in_h=st.integers(4, 40), in_w=st.integers(4, 40),
    num_classes=st.integers(1, 6), letterbox=st.booleans(), seed=st.integers(0, 2**32 - 1),
)
def test_property_matches_reference(frame_h, frame_w, in_h, in_w, num_classes, letterbox, seed):
    rng = np.random.default_rng(seed)
    *_, transform = ref_pre.place_frame(frame_h, frame_w, in_h, in_w, letterbox)
    check(rng.standard_normal((num_classes, in_h, in_w)).astype(np.float32), (frame_h, frame_w), transform, (in_h, in_w))


@pytest.mark.parametrize(
    "shape,frame_hw,transform,input_hw,match",
    [((2, 4), (4, 4), (1, 1, 0, 0), (4, 4), r"\(C, h, w\)"),
     ((2, 2, 4, 4), (4, 4), (1, 1, 0, 0), (4, 4), r"\(C, h, w\)"),
     ((0, 4, 4), (4, 4), (1, 1, 0, 0), (4, 4), ">= 1"),
     ((2, 4, 4), (0, 4), (1, 1, 0, 0), (4, 4), "frame"),
     ((2, 4, 4), (4, 4), (1, 1, 0, 0), (4, 0), "input"),
     ((2, 4, 4), (4, 4), (0, 1, 0, 0), (4, 4), "transform"),
     ((2, 4, 4), (4, 4), (1, 1, float("nan"), 0), (4, 4), "transform")],
)
def test_bad_arguments(shape, frame_hw, transform, input_hw, match):
    with pytest.raises(ValueError, match=match):
        core.segment_map(np.zeros(shape, np.float32), *frame_hw, transform, *input_hw, False)
