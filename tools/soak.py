"""Soak test: thousands of inferences of every task, and a model loaded and
unloaded a thousand times, with resident memory (VmRSS) sampled along the way.
Memory must stay flat once warm; exits 1 if it grows more than --max-growth-mb.

    PYTHONPATH=python nice -n 19 .venv/bin/python tools/soak.py            # 5,000 per task, 1,000 loads
    PYTHONPATH=python .venv/bin/python tools/soak.py --quick               # 500 per task, 100 loads

Models: the test fixtures converted (yolov8n_seg for detect and instance,
yolov8n_cls, lraspp_mobilenet_v3_large for segment; needs onnx), or with
--tiny the tiny synthetic models of tests/robustness_models.py. Linux only.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "models"


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def fixture_models(edgecnn, out_dir: Path) -> dict:
    """task -> .ecnn path, and the path of the model used for the load cycles."""
    paths = {}
    for name, options in [("yolov8n_seg", {}), ("yolov8n_cls", {}),
                          ("lraspp_mobilenet_v3_large", {"task": "segment"})]:
        paths[name] = out_dir / f"{name}.ecnn"
        edgecnn.convert(str(FIXTURES / f"{name}.onnx"), str(paths[name]), **options)
    return {"classify": paths["yolov8n_cls"], "segment": paths["lraspp_mobilenet_v3_large"],
            "detect": paths["yolov8n_seg"], "instance": paths["yolov8n_seg"]}


def tiny_model_files(out_dir: Path) -> dict:
    sys.path.insert(0, str(ROOT / "tests"))
    from robustness_models import tiny_models

    paths = {}
    for task, data in tiny_models().items():
        paths[task] = out_dir / f"{task}.ecnn"
        paths[task].write_bytes(data)
    return paths


def samples_line(samples) -> str:
    return " ".join(f"{n}:{v:.1f}" for n, v in samples)


def soak_task(edgecnn, task, model, frames, count, warmup, every) -> dict:
    for i in range(warmup):
        edgecnn.run(task, frames[i % len(frames)], model=model)
    gc.collect()
    start = rss_mb()
    samples = [(0, start)]
    t0 = time.perf_counter()
    for i in range(1, count + 1):
        edgecnn.run(task, frames[i % len(frames)], model=model, segment_scores=(task == "segment" and i % 10 == 0))
        if i % every == 0 or i == count:
            samples.append((i, rss_mb()))
    seconds = time.perf_counter() - t0
    gc.collect()
    end = rss_mb()
    return {"what": f"run {task}", "count": count, "seconds": seconds, "after_warmup": start, "end": end,
            "max": max(v for _, v in samples), "growth": end - start, "samples": samples}


def soak_loads(edgecnn, data: bytes, count, warmup, every) -> dict:
    for _ in range(warmup):
        edgecnn.load(data)
    gc.collect()
    start = rss_mb()
    samples = [(0, start)]
    t0 = time.perf_counter()
    for i in range(1, count + 1):
        model = edgecnn.load(data)
        del model
        if i % every == 0 or i == count:
            gc.collect()
            samples.append((i, rss_mb()))
    seconds = time.perf_counter() - t0
    gc.collect()
    end = rss_mb()
    return {"what": f"load+unload ({len(data) / 1e6:.1f} MB file)", "count": count, "seconds": seconds,
            "after_warmup": start, "end": end, "max": max(v for _, v in samples), "growth": end - start,
            "samples": samples}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--inferences", type=int, default=5000, help="runs per task (default 5000)")
    p.add_argument("--loads", type=int, default=1000, help="load/unload cycles (default 1000)")
    p.add_argument("--warmup", type=int, default=100, help="runs (and loads) before the baseline (default 100)")
    p.add_argument("--quick", action="store_true", help="500 runs per task and 100 loads")
    p.add_argument("--tiny", action="store_true", help="tiny synthetic models instead of the fixtures")
    p.add_argument("--max-growth-mb", type=float, default=32.0, help="allowed RSS growth after warm-up (32)")
    args = p.parse_args(argv)
    if args.quick:
        args.inferences, args.loads = 500, 100

    sys.path.insert(0, str(ROOT / "python"))
    import edgecnn

    rng = np.random.default_rng(0)
    frames = [rng.integers(0, 256, (h, w, 3), dtype=np.uint8) for h, w in [(480, 640), (720, 1280), (360, 360),
                                                                           (640, 480), (101, 203)]]
    print(f"edgecnn {edgecnn.__version__}, pid {os.getpid()}, RSS at start {rss_mb():.1f} MB", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        paths = tiny_model_files(Path(tmp)) if args.tiny else fixture_models(edgecnn, Path(tmp))
        loaded = {}
        every = max(1, args.inferences // 10)
        for task, path in paths.items():
            model = loaded.setdefault(path, edgecnn.load(path))
            r = soak_task(edgecnn, task, model, frames, args.inferences, args.warmup, every)
            rows.append(r)
            print(f"{r['what']}: {r['count']} in {r['seconds']:.1f} s; RSS MB after warm-up {r['after_warmup']:.1f}, "
                  f"max {r['max']:.1f}, end {r['end']:.1f}, growth {r['growth']:+.1f}\n  samples {samples_line(r['samples'])}",
                  flush=True)
        loaded.clear()
        biggest = max(set(paths.values()), key=lambda q: q.stat().st_size)
        r = soak_loads(edgecnn, biggest.read_bytes(), args.loads, min(args.warmup, 20), max(1, args.loads // 10))
        rows.append(r)
        print(f"{r['what']}: {r['count']} in {r['seconds']:.1f} s; RSS MB after warm-up {r['after_warmup']:.1f}, "
              f"max {r['max']:.1f}, end {r['end']:.1f}, growth {r['growth']:+.1f}\n  samples {samples_line(r['samples'])}",
              flush=True)

    print("\n| what | count | s | RSS after warm-up MB | max MB | end MB | growth MB |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['what']} | {r['count']} | {r['seconds']:.0f} | {r['after_warmup']:.1f} | {r['max']:.1f} | "
              f"{r['end']:.1f} | {r['growth']:+.1f} |")
    bad = [r["what"] for r in rows if r["growth"] > args.max_growth_mb]
    if bad:
        print(f"\nFAILED: RSS grew more than {args.max_growth_mb} MB after warm-up: {', '.join(bad)}")
        return 1
    print(f"\nOK: no growth beyond {args.max_growth_mb} MB after warm-up")
    return 0


if __name__ == "__main__":
    sys.exit(main())
