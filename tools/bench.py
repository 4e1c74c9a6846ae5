#!/usr/bin/env python3
"""Latency, peak memory and load time of edgecnn, onnxruntime and OpenVINO on
the models of bench/models (or those given), at 1 and 2 threads.

    PYTHONPATH=python .venv/bin/python tools/bench.py [MODEL.onnx ...] [--threads 1,2] [--runs 30]
        [--json out.json] [--chart docs/benchmarks.png] [--profile]
    EDGECNN_PROFILE=1 tools/bench.py ...      # also print each model's per-layer profile

The same as `edgecnn bench`; the implementation is edgecnn/bench.py.
Regenerate the models with: YOLO_OFFLINE=1 .venv-dev/bin/python tools/export_fixtures.py --full
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "python"))

from edgecnn import bench  # noqa: E402

if __name__ == "__main__":
    # The default models are the repository's, wherever this is run from; a
    # --model-dir given on the command line comes later and wins.
    sys.exit(bench.main(["--model-dir", os.path.join(ROOT, "bench", "models")] + sys.argv[1:]))
