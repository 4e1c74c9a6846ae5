"""edgecnn.evaluate against small cases worked out by hand."""

import numpy as np
import pytest

from edgecnn.evaluate import (average_precision, box_iou, interpolated_ap, mask_iou, mean_iou, per_class_iou,
                              top1_accuracy)

# One frame, class 0: three ground-truth boxes
#   A = [0, 0, 10, 10], B = [20, 0, 30, 10], C = [40, 0, 50, 10]
# and four predictions of class 0:
#   p1 score 0.9 [0, 0, 10, 10]  IoU(A) = 1                 -> TP (matches A)
#   p2 score 0.8 [0, 0, 10, 20]  IoU(A) = 100 / 200 = 0.5   -> FP (A already matched: one GT per prediction)
#   p3 score 0.7 [20, 0, 30, 8]  IoU(B) = 80 / 100 = 0.8    -> TP
#   p4 score 0.6 [40, 0, 52, 10] IoU(C) = 100 / 120 = 0.833 -> TP
# In score order TP FP TP TP: precision 1, 1/2, 2/3, 3/4 at recall 1/3, 1/3, 2/3, 1.
# Interpolated precision (best precision at that recall or beyond): 1, 3/4, 3/4, 3/4.
# Of the 101 recall points 0, .01, ..., 1: the 34 points 0 .. 0.33 (<= 1/3) get 1,
# the 67 points 0.34 .. 1 get 3/4, so AP(class 0) = (34 * 1 + 67 * 0.75) / 101 = 84.25 / 101.
# Class 1: one GT [0, 30, 10, 40], one prediction [0, 34, 10, 40] with IoU 0.6 at score 0.5 -> AP 1.
# Class 2 is predicted (score 0.95) but has no ground truth: COCO leaves it out of the mean.
AP_CLASS0 = 84.25 / 101
GT_BOXES = np.array([[0, 0, 10, 10], [20, 0, 30, 10], [40, 0, 50, 10], [0, 30, 10, 40]], np.float32)
GT_CLASSES = np.array([0, 0, 0, 1])
PRED_BOXES = np.array([[0, 0, 10, 10], [0, 0, 10, 20], [20, 0, 30, 8], [40, 0, 52, 10], [0, 34, 10, 40],
                       [60, 60, 70, 70]], np.float32)
PRED_SCORES = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.95])
PRED_CLASSES = np.array([0, 0, 0, 0, 1, 2])


def test_box_iou_known_values():
    iou = box_iou(PRED_BOXES[:4], GT_BOXES[:3])
    np.testing.assert_allclose(np.diag(iou[[0, 2, 3]][:, [0, 1, 2]]), [1.0, 0.8, 100 / 120])
    assert iou[1, 0] == pytest.approx(0.5)
    assert iou[0, 1] == 0.0


def test_ap_hand_worked_example():
    mean, per_class = average_precision([(PRED_BOXES, PRED_SCORES, PRED_CLASSES)], [(GT_BOXES, GT_CLASSES)])
    assert per_class[0] == pytest.approx(AP_CLASS0)
    assert per_class[1] == pytest.approx(1.0)
    assert 2 not in per_class
    assert mean == pytest.approx((AP_CLASS0 + 1.0) / 2)


def test_ap_threshold_is_inclusive_and_configurable():
    # At IoU >= 0.85 only p1 matches in class 0 (p3 0.8, p4 0.833 fail): TP FP FP FP,
    # precision 1 up to recall 1/3: 34 points of 1 -> 34 / 101. Class 1 (IoU 0.6) gets 0.
    mean, per_class = average_precision([(PRED_BOXES, PRED_SCORES, PRED_CLASSES)], [(GT_BOXES, GT_CLASSES)],
                                        iou_threshold=0.85)
    assert per_class[0] == pytest.approx(34 / 101)
    assert per_class[1] == 0.0
    assert mean == pytest.approx(17 / 101)


def test_ap_is_the_same_with_masks():
    def to_masks(boxes):
        m = np.zeros((len(boxes), 80, 80), bool)
        for i, (x1, y1, x2, y2) in enumerate(boxes.astype(int)):
            m[i, y1:y2, x1:x2] = True
        return m

    _, per_class = average_precision([(to_masks(PRED_BOXES), PRED_SCORES, PRED_CLASSES)],
                                     [(to_masks(GT_BOXES), GT_CLASSES)])
    assert per_class[0] == pytest.approx(AP_CLASS0)
    assert mask_iou(to_masks(PRED_BOXES[:1]), to_masks(GT_BOXES[:2]))[0].tolist() == [1.0, 0.0]


def test_ap_pools_frames_and_counts_missed_objects():
    # Frame 1: one GT, found (score 0.9). Frame 2: one GT, not found; one FP at score 0.8.
    # Sorted: TP (0.9), FP (0.8): precision 1 at recall 1/2 -> 51 of 101 points (0 .. 0.5) get 1.
    gt = np.array([[0, 0, 10, 10]], np.float32)
    preds = [(gt, [0.9], [0]), (np.array([[50, 50, 60, 60]], np.float32), [0.8], [0])]
    mean, per_class = average_precision(preds, [(gt, [0]), (gt, [0])])
    assert mean == pytest.approx(51 / 101)
    # No predictions at all: AP 0; no ground truth at all: mean 0 with no classes.
    assert average_precision([(np.zeros((0, 4)), [], [])], [(gt, [0])]) == (0.0, {0: 0.0})
    assert average_precision([(gt, [0.5], [0])], [(np.zeros((0, 4)), [])]) == (0.0, {})


def test_interpolated_ap_perfect_and_empty():
    assert interpolated_ap(np.ones(3), 3) == pytest.approx(1.0)
    assert interpolated_ap(np.zeros(0), 2) == 0.0


def test_mean_iou_hand_worked():
    # true          pred
    # 0 0 1         0 1 1
    # 1 2 2         1 2 0
    # class 0: I = 1 ((0,0)), U = 3 -> 1/3; class 1: I = 2, U = 3 -> 2/3; class 2: I = 1, U = 2 -> 1/2.
    # mean = (1/3 + 2/3 + 1/2) / 3 = 0.5. Class 3 is in neither map and does not count.
    true = np.array([[0, 0, 1], [1, 2, 2]], np.uint8)
    pred = np.array([[0, 1, 1], [1, 2, 0]], np.uint8)
    np.testing.assert_allclose(per_class_iou([pred], [true], 3), [1 / 3, 2 / 3, 1 / 2])
    assert mean_iou([pred], [true], 4) == pytest.approx(0.5)
    # Accumulated over the set, not averaged per frame: adding a perfect frame of class 3 only
    # (4 pixels) adds class 3 with IoU 1 and leaves the others unchanged: (1.5 + 1) / 4.
    perfect = np.full((2, 2), 3, np.uint8)
    assert mean_iou([pred, perfect], [true, perfect], 4) == pytest.approx(2.5 / 4)
    # A class only predicted counts with IoU 0.
    assert mean_iou([np.array([[1, 1]])], [np.array([[0, 1]])], 2) == pytest.approx((0 + 0.5) / 2)


def test_mean_iou_rejects_bad_input():
    with pytest.raises(ValueError):
        mean_iou([np.zeros((2, 2), int)], [np.zeros((2, 3), int)], 2)
    with pytest.raises(ValueError):
        mean_iou([np.full((2, 2), 5)], [np.zeros((2, 2), int)], 2)


def test_top1_accuracy():
    assert top1_accuracy([1, 2, 3, 4], [1, 2, 0, 4]) == 0.75
    with pytest.raises(ValueError):
        top1_accuracy([1], [1, 2])
