"""Numpy references of the box decoders, the map back to the frame and the whole
detection post-processing (csrc/post/box_decode.h).

Each decoder returns (boxes xyxy [K, 4], scores [K], class_ids [K], anchor_indices [K])
for the candidates with score > score_threshold, in anchor order then class order.
The YOLO decoders and unletterbox use the same float32 operations as the C++, so
their results are exact; the SSD decoder uses exp / softmax, which may differ in
the last bit.
"""

import math

import numpy as np

from .nms import nms


def center_to_corners(cx, cy, w, h):
    half_w, half_h = np.float32(0.5) * w, np.float32(0.5) * h
    return np.stack([cx - half_w, cy - half_h, cx + half_w, cy + half_h], axis=-1).astype(np.float32)


def _candidates(boxes, class_scores, score_threshold, multi_label, first_class=0):
    """boxes [N, 4], class_scores [N, nc] -> candidates; class ids start at first_class."""
    threshold = np.float32(score_threshold)
    finite = np.isfinite(boxes).all(axis=1)
    if multi_label:
        anchors, classes = np.nonzero((class_scores > threshold) & finite[:, None])  # anchor-major
        scores = class_scores[anchors, classes]
    else:
        classes = class_scores.argmax(axis=1)  # the first of equal maxima
        best = class_scores[np.arange(len(class_scores)), classes]
        anchors = np.flatnonzero((best > threshold) & finite)
        classes, scores = classes[anchors], best[anchors]
    return (boxes[anchors].reshape(-1, 4), scores.astype(np.float32),
            (classes + first_class).astype(np.int32), anchors.astype(np.int64))


def decode_yolov8(output, num_classes, score_threshold=0.25, multi_label=False):
    """output [1, 4 + nc + nm, N] channel-major: cx, cy, w, h rows, then class score rows."""
    rows = np.asarray(output, np.float32).reshape(output.shape[-2:])
    boxes = center_to_corners(*rows[:4])
    return _candidates(boxes, rows[4:4 + num_classes].T, score_threshold, multi_label)


def decode_yolov5(output, num_classes, score_threshold=0.25, multi_label=False):
    """output [1, N, 5 + nc + nm]: cx, cy, w, h, objectness, class scores; score = obj * class score.
    Anchors whose objectness is not above the threshold are skipped, as YOLOv5 does."""
    rows = np.asarray(output, np.float32).reshape(output.shape[-2:])
    boxes = center_to_corners(*rows[:, :4].T)
    objectness = rows[:, 4:5]
    scores = objectness * rows[:, 5:5 + num_classes]
    scores = np.where(objectness > np.float32(score_threshold), scores, -np.inf).astype(np.float32)
    return _candidates(boxes, scores, score_threshold, multi_label)


def softmax(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def decode_ssd(anchors, deltas, scores, score_threshold=0.25, box_coder_weights=(10.0, 10.0, 5.0, 5.0),
               scores_are_logits=False, multi_label=False):
    """torchvision BoxCoder.decode_single on cx, cy, w, h anchors; column 0 of scores is the background."""
    anchors = np.asarray(anchors, np.float32).reshape(-1, 4)
    deltas = np.asarray(deltas, np.float32).reshape(-1, 4)
    scores = np.asarray(scores, np.float32).reshape(len(anchors), -1)
    if scores_are_logits:
        scores = softmax(scores)
    wx, wy, ww, wh = (np.float32(v) for v in box_coder_weights)
    clip = np.float32(math.log(1000.0 / 16))
    dx, dy = deltas[:, 0] / wx, deltas[:, 1] / wy
    dw, dh = np.minimum(deltas[:, 2] / ww, clip), np.minimum(deltas[:, 3] / wh, clip)
    cx, cy, w, h = anchors.T
    boxes = center_to_corners(dx * w + cx, dy * h + cy, np.exp(dw) * w, np.exp(dh) * h)
    return _candidates(boxes, scores[:, 1:], score_threshold, multi_label, first_class=1)


def unletterbox_boxes(boxes, frame_size, scale=(1.0, 1.0), pad=(0.0, 0.0)):
    """(input - pad) / scale per axis, clipped to [0, width] x [0, height]; frame_size = (width, height)."""
    boxes = np.asarray(boxes, np.float32).reshape(-1, 4)
    scale = np.array(scale * 2, np.float32)  # (sx, sy, sx, sy)
    pad = np.array(pad * 2, np.float32)
    limit = np.array(tuple(frame_size) * 2, np.float32)
    return np.clip((boxes - pad) / scale, np.float32(0), limit).astype(np.float32)


def detect_postprocess(outputs, decoder, frame_size, *, scale=(1.0, 1.0), pad=(0.0, 0.0), num_classes=0,
                       score_threshold=0.25, iou_threshold=0.45, max_det=300, pre_nms_top_k=30000,
                       class_agnostic=False, multi_label=False, anchors=None,
                       box_coder_weights=(10.0, 10.0, 5.0, 5.0), scores_are_logits=False):
    """decode -> NMS -> unletterbox, like the C++ one-call entry point."""
    if decoder in ("yolov8", "yolo11"):
        boxes, scores, classes, anchor_indices = decode_yolov8(outputs[0], num_classes, score_threshold, multi_label)
    elif decoder == "yolov5":
        boxes, scores, classes, anchor_indices = decode_yolov5(outputs[0], num_classes, score_threshold, multi_label)
    else:
        boxes, scores, classes, anchor_indices = decode_ssd(anchors, outputs[0], outputs[1], score_threshold,
                                                            box_coder_weights, scores_are_logits, multi_label)
    keep = nms(boxes, scores, classes, score_threshold, iou_threshold, max_det, pre_nms_top_k, class_agnostic)
    return (unletterbox_boxes(boxes[keep], frame_size, scale, pad), scores[keep], classes[keep],
            anchor_indices[keep])
