#!/usr/bin/env python3
"""Benchmark edgecnn's NMS on every ISA tier of this machine, next to
torchvision.ops.nms / batched_nms and cv2.dnn.NMSBoxes / NMSBoxesBatched when those
are importable (neither is required). Prints a markdown table of median times.

    PYTHONPATH=python python tools/bench_nms.py [--repeats 21] [--sizes 1000,8400,20000]

Candidates look like a YOLO detector's before NMS: tight clusters of jittered
boxes around a few dozen objects, 80 classes, plus scattered low-score boxes.
Every candidate enters NMS (no score threshold) and max_det = N, so edgecnn does
the same work as the others, which have no early stop.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

try:
    import edgecnn
except ImportError:  # run from a checkout without PYTHONPATH
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "python"))
    import edgecnn

IOU_THRESHOLD = 0.45
NUM_CLASSES = 80


def yolo_like_candidates(rng, n, objects=40):
    """(boxes xyxy float32 [n, 4], scores float32 [n], classes int32 [n]) on a 640x640 input."""
    centers = rng.uniform(40, 600, (objects, 2))
    sizes = rng.uniform(16, 320, (objects, 2))
    object_classes = rng.integers(0, NUM_CLASSES, objects)
    clustered = int(n * 0.85)
    pick = rng.integers(0, objects, clustered)
    jitter = rng.normal(0, 0.06, (clustered, 2))
    center = np.concatenate([centers[pick] + jitter * sizes[pick], rng.uniform(0, 640, (n - clustered, 2))])
    size = np.concatenate([sizes[pick] * rng.uniform(0.8, 1.25, (clustered, 2)),
                           rng.uniform(8, 120, (n - clustered, 2))])
    boxes = np.concatenate([center - size / 2, center + size / 2], axis=1).astype(np.float32)
    # closer to the object center -> higher score
    scores = np.concatenate([np.exp(-np.square(jitter).sum(axis=1) / 0.01) * rng.uniform(0.5, 1.0, clustered),
                             rng.uniform(0.0, 0.3, n - clustered)]).astype(np.float32)
    classes = np.concatenate([object_classes[pick], rng.integers(0, NUM_CLASSES, n - clustered)]).astype(np.int32)
    return boxes, scores, classes


def median_ms(fn, repeats):
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e3


def edgecnn_runner(boxes, scores, classes, agnostic, isa):
    def run():
        return edgecnn._core.nms(boxes, scores, classes, score_threshold=-1.0, iou_threshold=IOU_THRESHOLD,
                                 max_det=len(boxes), pre_nms_top_k=len(boxes), class_agnostic=agnostic, isa=isa)
    return run


def torchvision_runner(boxes, scores, classes, agnostic):
    try:
        import torch
        import torchvision
    except ImportError:
        return None
    torch.set_num_threads(1)
    b, s, c = torch.from_numpy(boxes), torch.from_numpy(scores), torch.from_numpy(classes)
    if agnostic:
        return lambda: torchvision.ops.nms(b, s, IOU_THRESHOLD)
    return lambda: torchvision.ops.batched_nms(b, s, c, IOU_THRESHOLD)


def opencv_runner(boxes, scores, classes, agnostic):
    try:
        import cv2
    except ImportError:
        return None
    xywh = np.concatenate([boxes[:, :2], boxes[:, 2:] - boxes[:, :2]], axis=1)
    if agnostic:
        return lambda: cv2.dnn.NMSBoxes(xywh, scores, 0.0, IOU_THRESHOLD)
    if not hasattr(cv2.dnn, "NMSBoxesBatched"):
        return None
    return lambda: cv2.dnn.NMSBoxesBatched(xywh, scores, classes, 0.0, IOU_THRESHOLD)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,8400,20000", help="candidate counts, comma-separated")
    parser.add_argument("--repeats", type=int, default=21)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    isas = edgecnn._core.available_isas()
    others = {"torchvision": torchvision_runner, "cv2": opencv_runner}
    header = ["candidates", "classes", "kept"] + [f"edgecnn {isa}" for isa in isas] + list(others)
    print(f"NMS, median of {args.repeats} runs in ms, IoU {IOU_THRESHOLD}, one thread\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    rng = np.random.default_rng(args.seed)
    for n in (int(v) for v in args.sizes.split(",")):
        boxes, scores, classes = yolo_like_candidates(rng, n)
        for agnostic in (False, True):
            kept = len(edgecnn_runner(boxes, scores, classes, agnostic, "")())
            cells = [f"{n:,}", "agnostic" if agnostic else f"aware ({NUM_CLASSES})", str(kept)]
            cells += [f"{median_ms(edgecnn_runner(boxes, scores, classes, agnostic, isa), args.repeats):.3f}"
                      for isa in isas]
            for make in others.values():
                runner = make(boxes, scores, classes, agnostic)
                cells.append("–" if runner is None else f"{median_ms(runner, args.repeats):.3f}")
            print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
