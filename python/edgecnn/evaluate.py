"""Metrics of the four tasks over a set of frames (numpy only).

* :func:`top1_accuracy` - classification.
* :func:`mean_iou` - semantic segmentation: per-class IoU accumulated over the
  whole set (intersections and unions summed over all frames, then divided),
  averaged over the classes that occur in the ground truth or in the
  predictions of at least one frame. A class that neither predicts nor is
  present anywhere does not count; a class predicted but never present counts
  with IoU 0.
* :func:`average_precision` - detection (boxes) and instance segmentation
  (masks), COCO style at one IoU threshold (0.5 by default): per class,
  predictions of all frames sorted by score (highest first, ties in input
  order) are matched greedily, each to the unmatched ground truth of the same
  class in the same frame with which it has the highest IoU, if that IoU is
  >= the threshold (one ground truth per prediction; a second prediction of
  an already matched object is a false positive). AP is the mean over 101
  recall points 0, 0.01, ..., 1 of the interpolated precision (the highest
  precision at any recall >= that point, 0 beyond the reached recall). The
  mean is over classes with at least one ground-truth object (COCO ignores
  classes without ground truth; their predictions do not count).
"""

from __future__ import annotations

from typing import Dict, Optional, Sequence, Tuple

import numpy as np

RECALL_POINTS = np.linspace(0.0, 1.0, 101)


def top1_accuracy(predicted: Sequence[int], expected: Sequence[int]) -> float:
    """Fraction of predicted class ids equal to the expected ones."""
    p = np.asarray(predicted).reshape(-1)
    e = np.asarray(expected).reshape(-1)
    if p.shape != e.shape:
        raise ValueError(f"{p.size} predictions for {e.size} labels")
    return float(np.mean(p == e)) if e.size else 0.0


def iou_sums(pred_map: np.ndarray, true_map: np.ndarray, num_classes: int) -> Tuple[np.ndarray, np.ndarray]:
    """(intersection, union) pixel counts per class of one pair of class maps."""
    p = np.asarray(pred_map).astype(np.int64).reshape(-1)
    t = np.asarray(true_map).astype(np.int64).reshape(-1)
    if p.shape != t.shape:
        raise ValueError(f"class maps differ in size: {np.shape(pred_map)} vs {np.shape(true_map)}")
    if p.size and (p.min() < 0 or t.min() < 0 or p.max() >= num_classes or t.max() >= num_classes):
        raise ValueError(f"class ids must be in [0, {num_classes})")
    inter = np.bincount(t[p == t], minlength=num_classes)[:num_classes]
    area_p = np.bincount(p, minlength=num_classes)[:num_classes]
    area_t = np.bincount(t, minlength=num_classes)[:num_classes]
    return inter, area_p + area_t - inter


def per_class_iou(class_maps_pred, class_maps_true, num_classes: int) -> np.ndarray:
    """IoU of every class over the whole set; NaN for a class absent from both."""
    if len(class_maps_pred) != len(class_maps_true):
        raise ValueError(f"{len(class_maps_pred)} predicted maps for {len(class_maps_true)} true maps")
    inter = np.zeros(num_classes, np.int64)
    union = np.zeros(num_classes, np.int64)
    for p, t in zip(class_maps_pred, class_maps_true):
        i, u = iou_sums(p, t, num_classes)
        inter += i
        union += u
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(union > 0, inter / np.maximum(union, 1), np.nan)


def mean_iou(class_maps_pred, class_maps_true, num_classes: int) -> float:
    """Mean over classes present (in ground truth or prediction) of the set-wide IoU; see the module docstring."""
    ious = per_class_iou(class_maps_pred, class_maps_true, num_classes)
    present = ~np.isnan(ious)
    return float(ious[present].mean()) if present.any() else 0.0


def box_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of boxes a (N, 4) and b (M, 4), x1 y1 x2 y2."""
    a = np.asarray(a, np.float64).reshape(-1, 4)
    b = np.asarray(b, np.float64).reshape(-1, 4)
    lt = np.maximum(a[:, None, :2], b[None, :, :2])
    rb = np.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = np.clip(rb - lt, 0, None).prod(-1)
    area_a = np.clip(a[:, 2:] - a[:, :2], 0, None).prod(-1)
    area_b = np.clip(b[:, 2:] - b[:, :2], 0, None).prod(-1)
    union = area_a[:, None] + area_b[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0)


def mask_iou(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """(N, M) IoU of bool masks a (N, H, W) and b (M, H, W)."""
    a = np.asarray(a, bool)
    b = np.asarray(b, bool)
    if a.shape[1:] != b.shape[1:]:
        raise ValueError(f"masks differ in size: {a.shape[1:]} vs {b.shape[1:]}")
    fa = a.reshape(len(a), -1).astype(np.float32)
    fb = b.reshape(len(b), -1).astype(np.float32)
    inter = fa @ fb.T
    union = fa.sum(1)[:, None] + fb.sum(1)[None, :] - inter
    return np.where(union > 0, inter / np.where(union > 0, union, 1.0), 0.0).astype(np.float64)


def _iou(pred_items, gt_items) -> np.ndarray:
    p = np.asarray(pred_items)
    g = np.asarray(gt_items)
    if len(p) == 0 or len(g) == 0:
        return np.zeros((len(p), len(g)))
    if p.ndim == 2 and g.ndim == 2:
        return box_iou(p, g)
    if p.ndim == 3 and g.ndim == 3:
        return mask_iou(p, g)
    raise ValueError(f"items must be (N, 4) boxes or (N, H, W) masks, got shapes {p.shape} and {g.shape}")


def interpolated_ap(tp: np.ndarray, num_gt: int) -> float:
    """101-point interpolated AP of a score-sorted sequence of TP (1) / FP (0) flags."""
    if num_gt <= 0:
        return float("nan")
    tp = np.asarray(tp, np.float64)
    if tp.size == 0:
        return 0.0
    ctp = np.cumsum(tp)
    cfp = np.cumsum(1.0 - tp)
    recall = ctp / num_gt
    precision = ctp / (ctp + cfp)
    envelope = np.maximum.accumulate(precision[::-1])[::-1]  # best precision at this recall or beyond
    idx = np.searchsorted(recall, RECALL_POINTS, side="left")  # first point reaching each recall
    q = np.where(idx < len(envelope), envelope[np.minimum(idx, len(envelope) - 1)], 0.0)
    return float(q.mean())


def average_precision(predictions, ground_truths, iou_threshold: float = 0.5,
                      num_classes: Optional[int] = None) -> Tuple[float, Dict[int, float]]:
    """COCO-style AP at one IoU threshold, per class and their mean (see the module docstring).

    predictions: one (items, scores, class_ids) per frame; ground_truths: one
    (items, class_ids) per frame, in the same order. items are (N, 4) boxes
    (x1 y1 x2 y2) or (N, H, W) bool masks, the same kind on both sides.
    Returns (mean AP over classes with ground truth, {class: AP}); the mean is
    0.0 when there is no ground truth at all.
    """
    if len(predictions) != len(ground_truths):
        raise ValueError(f"{len(predictions)} predicted frames for {len(ground_truths)} ground-truth frames")
    records = {}  # class -> list of (score, order, tp)
    num_gt: Dict[int, int] = {}
    order = 0
    for (p_items, p_scores, p_classes), (g_items, g_classes) in zip(predictions, ground_truths):
        p_scores = np.asarray(p_scores, np.float64).reshape(-1)
        p_classes = np.asarray(p_classes, np.int64).reshape(-1)
        g_classes = np.asarray(g_classes, np.int64).reshape(-1)
        if len(p_scores) != len(p_classes) or len(p_items) != len(p_scores) or len(g_items) != len(g_classes):
            raise ValueError("items, scores and class ids of a frame must have the same length")
        for c in g_classes:
            num_gt[int(c)] = num_gt.get(int(c), 0) + 1
        ious = _iou(p_items, g_items)
        for c in np.unique(p_classes):
            pi = np.nonzero(p_classes == c)[0]
            pi = pi[np.argsort(-p_scores[pi], kind="stable")]
            gi = np.nonzero(g_classes == c)[0]
            matched = np.zeros(len(gi), bool)
            for i in pi:
                tp = 0
                if len(gi):
                    cand = np.where(matched, -1.0, ious[i, gi])
                    j = int(np.argmax(cand))
                    if cand[j] >= iou_threshold:
                        matched[j] = True
                        tp = 1
                records.setdefault(int(c), []).append((p_scores[i], order + int(i), tp))
        order += len(p_scores)
    classes = sorted(num_gt) if num_classes is None else [c for c in range(num_classes) if c in num_gt]
    per_class = {}
    for c in classes:
        recs = records.get(c, [])
        recs.sort(key=lambda r: (-r[0], r[1]))
        per_class[c] = interpolated_ap(np.array([r[2] for r in recs]), num_gt[c])
    mean = float(np.mean(list(per_class.values()))) if per_class else 0.0
    return mean, per_class


def evaluate_scenes(model, seeds, conf: Optional[float] = None, iou: Optional[float] = None) -> Dict[str, float]:
    """Runs the four tasks through :func:`edgecnn.run` on the generated scenes of `seeds`; returns
    {"top1", "miou", "box_map50", "mask_map50", "scenes"}.

    model: a .ecnn path, bytes or loaded Model serving classify, segment, detect and instance (the
    default model when None). conf / iou: detection thresholds (edgecnn.run's defaults when None).
    """
    from .api import run
    from .scenes import SEGMENT_CLASSES, generate_scene

    if model is None:
        from .models import DEFAULT_MODEL_PATH

        model = str(DEFAULT_MODEL_PATH)
    options = {}
    if conf is not None:
        options["conf"] = conf
    if iou is not None:
        options["iou"] = iou
    labels, predicted = [], []
    maps_pred, maps_true = [], []
    box_pred, box_true, mask_pred, mask_true = [], [], [], []
    for seed in seeds:
        sc = generate_scene(seed)
        frame = sc.image
        c = run("classify", frame, model, color="rgb", top_k=1)
        labels.append(sc.label)
        predicted.append(int(c.class_ids[0]))
        s = run("segment", frame, model, color="rgb")
        maps_pred.append(s.mask)
        maps_true.append(sc.class_map)
        d = run("detect", frame, model, color="rgb", **options)
        box_pred.append((d.boxes, d.scores, d.class_ids))
        box_true.append((sc.boxes, sc.classes))
        ins = run("instance", frame, model, color="rgb", **options)
        mask_pred.append((ins.full_masks(), ins.scores, ins.class_ids))
        mask_true.append((sc.masks, sc.classes))
    return {
        "top1": top1_accuracy(predicted, labels),
        "miou": mean_iou(maps_pred, maps_true, len(SEGMENT_CLASSES)),
        "box_map50": average_precision(box_pred, box_true, 0.5)[0],
        "mask_map50": average_precision(mask_pred, mask_true, 0.5)[0],
        "scenes": len(labels),
    }
