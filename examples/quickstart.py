"""Converts a shipped ONNX model (a reduced YOLOv8n) to .ecnn, loads it, and runs it.

    python examples/quickstart.py [path/to/model.onnx]
"""

import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import edgecnn

root = Path(__file__).resolve().parent.parent
onnx_path = Path(sys.argv[1]) if len(sys.argv) > 1 else root / "tests" / "fixtures" / "models" / "yolov8n.onnx"

with tempfile.TemporaryDirectory() as tmp:
    ecnn_path = Path(tmp) / (onnx_path.stem + ".ecnn")
    report = edgecnn.convert(str(onnx_path), str(ecnn_path))
    print(f"converted {onnx_path.name} -> {ecnn_path.name} ({ecnn_path.stat().st_size / 1e6:.2f} MB)")
    model = edgecnn.load(ecnn_path)

print(model)
x = np.random.default_rng(0).random(model.input_shape, dtype=np.float32)
model.forward(x)  # warm-up
times = []
for _ in range(10):
    t0 = time.perf_counter()
    outputs = model.forward(x)
    times.append(time.perf_counter() - t0)
for name, out in zip(model.output_names, outputs):
    print(f"output {name}: shape {out.shape}, range [{out.min():.3g}, {out.max():.3g}]")
info = edgecnn.runtime_info()
print(f"median forward {np.median(times) * 1e3:.2f} ms on {info['isa']} ({info['gemm_kernel']}), "
      f"{model.num_threads} threads, edgecnn {info['version']}")
