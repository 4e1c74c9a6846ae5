#!/usr/bin/env python3
"""Evaluates a model (the embedded default by default) on held-out procedural scenes.

Runs classify, segment, detect and instance through edgecnn.run on N scenes
generated from seeds S .. S + N - 1 (the default S is far from the training
seeds 0 .. 19999) and prints four lines:

    top-1 0.xxx
    mIoU 0.xxx
    box mAP@0.5 0.xxx
    mask mAP@0.5 0.xxx

    PYTHONPATH=python .venv/bin/python tools/eval_default.py [--seed S] [--n N] [--model PATH]
"""

from __future__ import annotations

import argparse
import sys


HELD_OUT_SEED = 10_000_000


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=HELD_OUT_SEED, help=f"first scene seed (default {HELD_OUT_SEED})")
    ap.add_argument("--n", type=int, default=500, help="number of scenes (default 500)")
    ap.add_argument("--model", default=None, help="a .ecnn file (default: the embedded default model)")
    ap.add_argument("--conf", type=float, default=None, help="detection score threshold (default: edgecnn.run's)")
    ap.add_argument("--iou", type=float, default=None, help="NMS IoU threshold (default: edgecnn.run's)")
    args = ap.parse_args(argv)

    import edgecnn
    from edgecnn.evaluate import evaluate_scenes

    model = edgecnn.load(args.model) if args.model else None
    m = evaluate_scenes(model, range(args.seed, args.seed + args.n), conf=args.conf, iou=args.iou)
    print(f"top-1 {m['top1']:.3f}")
    print(f"mIoU {m['miou']:.3f}")
    print(f"box mAP@0.5 {m['box_map50']:.3f}")
    print(f"mask mAP@0.5 {m['mask_map50']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
