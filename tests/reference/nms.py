"""Numpy reference of greedy NMS with torchvision's semantics (csrc/post/nms.h).

A plain greedy loop over the candidates, best first. IoU is computed in float32
with the same operations as the C++ (so the kept sets must be identical, not
just close):
    area  = (x2 - x1) * (y2 - y1)
    inter = max(min(x2) - max(x1), 0) * max(min(y2) - max(y1), 0)
    union = (area_a + area_b) - inter
    suppressed iff inter / union > iou_threshold   (IoU = 0 when union <= 0)
"""

import numpy as np


def iou_one_to_many(box, boxes):
    """float32 IoU of one xyxy box with each of boxes (M x 4)."""
    box = box.astype(np.float32)
    boxes = boxes.astype(np.float32)
    area = (box[2] - box[0]) * (box[3] - box[1])
    areas = (boxes[:, 2] - boxes[:, 0]) * (boxes[:, 3] - boxes[:, 1])
    zero = np.float32(0)
    w = np.maximum(np.minimum(boxes[:, 2], box[2]) - np.maximum(boxes[:, 0], box[0]), zero)
    h = np.maximum(np.minimum(boxes[:, 3], box[3]) - np.maximum(boxes[:, 1], box[1]), zero)
    inter = w * h
    union = (areas + area) - inter
    return np.divide(inter, union, out=np.zeros_like(inter), where=union > 0)


def candidate_order(scores, score_threshold, pre_nms_top_k):
    """Indices with score > score_threshold, by descending score then ascending index,
    at most pre_nms_top_k of them."""
    scores = np.asarray(scores, np.float32)
    candidates = np.flatnonzero(scores > np.float32(score_threshold))
    # lexsort: the last key is the primary one
    order = candidates[np.lexsort((candidates, -scores[candidates]))]
    return order[:pre_nms_top_k]


def nms(boxes, scores, classes=None, score_threshold=0.25, iou_threshold=0.45, max_det=300,
        pre_nms_top_k=30000, class_agnostic=False):
    """Kept indices (int64), best first."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    classes = np.zeros(len(boxes), np.int32) if classes is None or class_agnostic else np.asarray(classes)
    order = candidate_order(scores, score_threshold, pre_nms_top_k)
    threshold = np.float32(iou_threshold)
    suppressed = np.zeros(len(order), bool)
    keep = []
    for rank, index in enumerate(order):
        if suppressed[rank]:
            continue
        keep.append(index)
        if len(keep) == max_det:
            break
        rest = order[rank + 1:]
        same_class = classes[rest] == classes[index]
        suppressed[rank + 1:] |= same_class & (iou_one_to_many(boxes[index], boxes[rest]) > threshold)
    return np.array(keep, np.int64)
