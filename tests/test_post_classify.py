"""Classification top-k (csrc/post/classify) against the numpy reference."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import edgecnn
from reference import dense_post as ref

core = edgecnn._core


def check(values, k, softmax):
    ids, scores = core.classify_topk(values, k, softmax)
    want_ids, want_scores = ref.classify_topk(values, k, softmax)
    assert ids.dtype == np.int64 and scores.dtype == np.float32 and ids.shape == scores.shape == (k,)
    np.testing.assert_allclose(scores, want_scores, rtol=1e-5, atol=1e-7)
    # Ids may differ only among classes whose scores are equal up to float32 rounding.
    v = ref.softmax(np.asarray(values, np.float64).ravel(), 0) if softmax else np.asarray(values, np.float64).ravel()
    np.testing.assert_allclose(v[ids], want_scores, rtol=1e-5, atol=1e-7)
    assert len(set(ids.tolist())) == k
    return ids, scores


@pytest.mark.parametrize("num_classes", [1, 2, 10, 1000])
@pytest.mark.parametrize("softmax", [True, False])
def test_matches_reference(num_classes, softmax, rng):
    values = (rng.standard_normal(num_classes) * 4).astype(np.float32)
    if not softmax:
        values = ref.softmax(values.astype(np.float64), 0).astype(np.float32)
    for k in sorted({1, min(5, num_classes), num_classes}):
        ids, _ = check(values, k, softmax)
        assert np.array_equal(ids, ref.classify_topk(values, k, softmax)[0])


def test_ties_go_to_the_lower_id():
    ids, scores = core.classify_topk(np.array([1, 3, 3, 0, 3], np.float32), 5, True)
    assert ids.tolist() == [1, 2, 4, 0, 3]
    assert scores[0] == scores[1] == scores[2]
    assert core.classify_topk(np.zeros(7, np.float32), 7, False)[0].tolist() == list(range(7))


def test_softmax_is_stable_and_normalised():
    values = np.array([1000.0, 999.0, -1000.0], np.float32)
    ids, scores = core.classify_topk(values, 3, True)
    assert ids.tolist() == [0, 1, 2]
    np.testing.assert_allclose(scores, ref.softmax(values.astype(np.float64), 0), rtol=1e-6, atol=1e-30)
    np.testing.assert_allclose(scores.sum(), 1.0, rtol=1e-6)


def test_nan_ranks_last():
    ids, _ = core.classify_topk(np.array([np.nan, 0.5, np.nan, 0.7], np.float32), 4, False)
    assert ids.tolist() == [3, 1, 0, 2]


def test_accepts_batch_of_one_and_other_float_dtypes(rng):
    values = rng.standard_normal(12)
    want = core.classify_topk(values.astype(np.float32), 3, True)
    for v in (values[None], values.astype(np.float32)[None, None], values.tolist()):
        got = core.classify_topk(v, 3, True)
        assert np.array_equal(got[0], want[0]) and np.array_equal(got[1], want[1])


@pytest.mark.parametrize(
    "values,k,match",
    [(np.zeros(4, np.float32), 0, "k must be"), (np.zeros(4, np.float32), 5, "k must be"),
     (np.zeros((2, 4), np.float32), 1, r"\(C,\) or \(1, C\)"), (np.zeros(0, np.float32), 1, "no class scores"),
     (np.float32(1.0), 1, r"\(C,\) or \(1, C\)")],
)
def test_bad_arguments(values, k, match):
    with pytest.raises(ValueError, match=match):
        core.classify_topk(values, k, True)


@settings(max_examples=200, deadline=None)
@given(values=st.lists(st.sampled_from([-2.0, -0.5, 0.0, 0.5, 1.0, 3.0]), min_size=1, max_size=30), data=st.data())
def test_property_order_with_ties(values, data):
    # Few distinct values: many exact ties, which must resolve by id.
    k = data.draw(st.integers(1, len(values)))
    values = np.array(values, np.float32)
    for softmax in (False, True):
        ids, scores = core.classify_topk(values, k, softmax)
        assert np.array_equal(ids, ref.classify_topk(values, k, softmax)[0])
        assert np.all(np.diff(scores) <= 0)
