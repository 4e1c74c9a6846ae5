#!/usr/bin/env python3
"""Times each task's pipeline in its three parts: pre-processing, the network,
post-processing (median over repeats after warm-up). Prints a markdown table.

    PYTHONPATH=python python tools/bench_tasks.py [--frame 720x1280] [--repeats 20] [--threads N]
        [--model TASK=PATH.ecnn|PATH.onnx ...] [--detections 10,30]

Without --model it converts the test fixtures (reduced-width random-weight
YOLOv8n detect/seg/cls and LRASPP). Pass full-size models for real numbers.

Post-processing cost grows with the number of detections (instance masks
with their area). A random-weight YOLO scores most anchors high, so at the
default threshold it keeps max_det (300) boxes of about 1/7 of the frame
each, which no trained model does on a real image. For detect and instance,
--detections adds rows whose score threshold keeps exactly that many
boxes (the highest-scoring ones), so the cost can be read at realistic counts.
The last table runs the embedded default model on a generated scene.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import edgecnn
from edgecnn.api import DEFAULT_CONF, DEFAULT_IOU, DEFAULT_MAX_DET, DEFAULT_TOP_K, _runner

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "models"
DEFAULT_MODELS = {"classify": "yolov8n_cls.onnx", "segment": "lraspp_mobilenet_v3_large.onnx",
                  "detect": "yolov8n.onnx", "instance": "yolov8n_seg.onnx"}


def load_model(task: str, path: str, threads, tmp: str):
    if path.endswith(".onnx"):
        out = os.path.join(tmp, f"{task}.ecnn")
        edgecnn.convert(path, out, **({"task": task} if task == "segment" else {}))
        path = out
    return edgecnn.load(path, num_threads=threads)


def median_ms(fn, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times) * 1e3)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frame", default="720x1280", help="frame size HxW (default 720x1280)")
    ap.add_argument("--repeats", type=int, default=20)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--model", action="append", default=[], metavar="TASK=PATH")
    ap.add_argument("--detections", default="10,30",
                    help="detect/instance: also time post-processing at these detection counts (comma list; '' none)")
    args = ap.parse_args(argv)
    counts = [int(v) for v in args.detections.split(",") if v.strip()]
    h, w = (int(v) for v in args.frame.lower().split("x"))
    models = {t: str(FIXTURES / f) for t, f in DEFAULT_MODELS.items()}
    for item in args.model:
        task, _, path = item.partition("=")
        models[task] = path
    rng = np.random.default_rng(0)
    frame = (rng.random((h, w, 3)) * 255).astype(np.uint8)
    options = {"conf": DEFAULT_CONF, "iou": DEFAULT_IOU, "max_det": DEFAULT_MAX_DET, "top_k": DEFAULT_TOP_K,
               "agnostic": False, "segment_scores": False}
    info = edgecnn.runtime_info()
    print(f"edgecnn {info['version']}, {info['isa']}, frame {h}x{w}, median of {args.repeats}\n")
    print("| task | model | input | detections | pre ms | network ms | post ms | total ms | pre+post % |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for task, path in models.items():
            model = load_model(task, path, args.threads, tmp)
            runner = _runner(model, task)
            tensor, transform = runner.preprocess(frame, "bgr")
            wanted = list(runner.plan.outputs)
            outputs = model.forward(tensor, outputs=wanted)
            pre = median_ms(lambda: runner.preprocess(frame, "bgr"), args.repeats)
            net = median_ms(lambda: model.forward(tensor, outputs=wanted), args.repeats)
            shape = "x".join(str(d) for d in model.input_shape[2:])
            for label, opts in post_variants(task, runner, outputs, (h, w), transform, options, counts):
                for _ in range(3):
                    runner.postprocess(outputs, (h, w), transform, opts)
                post = median_ms(lambda: runner.postprocess(outputs, (h, w), transform, opts), args.repeats)
                total = pre + net + post
                print(f"| {task} | {Path(path).name} | {shape} | {label} | {pre:.2f} | {net:.2f} | {post:.2f} | "
                      f"{total:.2f} | {100 * (pre + post) / total:.1f} |")
    multi_task_table(frame, args.repeats, args.threads)
    return 0


def post_variants(task, runner, outputs, frame_hw, transform, options, counts):
    """(detections label, options) to time: the default options, then for
    detect/instance a threshold keeping each of `counts` boxes."""
    if task not in ("detect", "instance"):
        return [("", options)]
    scores = np.sort(np.asarray(runner.postprocess(outputs, frame_hw, transform, options).scores))[::-1]
    variants = [(f"{len(scores)} (conf {options['conf']})", options)]
    for n in counts:
        if n < len(scores):  # halfway between the n-th and the (n+1)-th score
            conf = float((scores[n - 1] + scores[n]) / 2)
            kept = len(runner.postprocess(outputs, frame_hw, transform, dict(options, conf=conf)).scores)
            variants.append((str(kept), dict(options, conf=conf)))
    return variants


def multi_task_table(frame, repeats: int, threads) -> None:
    """The embedded default model: one call running all four heads against one detect call."""
    try:
        from edgecnn.models import DEFAULT_MODEL_PATH
    except ImportError:
        return
    if not os.path.exists(DEFAULT_MODEL_PATH):
        return
    from edgecnn.scenes import generate_scene

    model = edgecnn.load(DEFAULT_MODEL_PATH, num_threads=threads)
    frame = generate_scene(7, frame.shape[0], frame.shape[1]).image  # what the model knows: shapes on a background
    tasks = ["classify", "segment", "detect", "instance"]
    calls = {"detect": lambda: edgecnn.run("detect", frame, model=model),
             "all four in one call": lambda: edgecnn.run(tasks, frame, model=model),
             "four separate calls": lambda: [edgecnn.run(t, frame, model=model) for t in tasks]}
    for call in calls.values():
        call()
    times = {name: [] for name in calls}
    for _ in range(repeats):  # interleaved, so load changes hit every variant alike
        for name, call in calls.items():
            t0 = time.perf_counter()
            call()
            times[name].append(time.perf_counter() - t0)
    base = float(np.median(times["detect"]))
    print(f"\nDefault model ({Path(DEFAULT_MODEL_PATH).name}), end to end on scene 7 of edgecnn.scenes at the "
          f"same size:\n")
    print("| call | ms | / detect |")
    print("|---|---:|---:|")
    for name, ts in times.items():
        print(f"| {name} | {np.median(ts) * 1e3:.2f} | {np.median(ts) / base:.2f} |")


if __name__ == "__main__":
    sys.exit(main())
