#!/usr/bin/env python3
"""edgecnn's per-layer times beside onnxruntime's and OpenVINO's profiles of
the same ONNX model (development tool; needs onnx, onnxruntime, openvino).

    PYTHONPATH=python .venv/bin/python tools/compare_layers.py bench/models/mobilenet_v2.onnx
        [--threads 1] [--runs 20] [--top 15] [--shape 1x3x224x224]

The implementation is edgecnn/compare_layers.py.
"""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))

from edgecnn import compare_layers  # noqa: E402

if __name__ == "__main__":
    sys.exit(compare_layers.main())
