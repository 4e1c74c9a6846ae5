#!/usr/bin/env python3
"""edgecnn's per-layer times beside onnxruntime's and OpenVINO's profiles of
the same ONNX model (development tool; needs onnx, onnxruntime, openvino).

    PYTHONPATH=python .venv/bin/python tools/compare_layers.py bench/models/mobilenet_v2.onnx
        [--threads 1] [--runs 20] [--top 15] [--shape 1x3x224x224]

The implementation is edgecnn/compare_layers.py.
"""

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))

from edgecnn import compare_layers  # noqa: E402


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="ONNX model")
    p.add_argument("--shape", help="input shape, e.g. 1x3x224x224 (default: the model's, batch 1)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--engines", default="onnxruntime,openvino")
    p.add_argument("--top", type=int, default=0, help="only the N rows furthest behind the best peer")
    args = p.parse_args()
    shape = ([int(s) for s in args.shape.lower().split("x")] if args.shape
             else compare_layers.input_shape(args.model))
    engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    rows, unclaimed = compare_layers.compare(args.model, shape, args.threads, args.runs, engines)
    print(f"{Path(args.model).name}, input {'x'.join(map(str, shape))}, {args.threads} thread(s), "
          f"mean of {args.runs} profiled runs per engine\n")
    print(compare_layers.markdown(rows, unclaimed, engines, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
