"""Parity helpers: run an ONNX model through edgecnn and onnxruntime and compare."""

from __future__ import annotations

import io

import numpy as np

import edgecnn


def tolerance(ref: np.ndarray) -> float:
    # fp32 accumulation-order differences between GEMM tilings grow with the
    # magnitude of the outputs, hence relative to max|ref|, floored at 1.
    return 1e-4 * max(1.0, float(np.max(np.abs(ref))) if ref.size else 1.0)


def run_onnxruntime(model_proto, inputs: dict) -> list[np.ndarray]:
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(model_proto.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    return sess.run(None, inputs)


def convert_to_bytes(model_proto, tmp_path, **options) -> bytes:
    out = tmp_path / "model.ecnn"
    edgecnn.convert(model_proto, str(out), **options)
    return out.read_bytes()


def assert_parity(model_proto, x: np.ndarray, isa: str, tmp_path, case: str = "", num_threads: int = 2,
                  **options) -> None:
    """Converts, runs on `isa`, and compares every output with onnxruntime."""
    data = convert_to_bytes(model_proto, tmp_path, **options)
    model = edgecnn.load(data, isa=isa, num_threads=num_threads)
    got = model.forward(x)
    ref = run_onnxruntime(model_proto, {model_proto.graph.input[0].name: x})
    assert len(got) == len(ref), f"{case} isa={isa}: {len(got)} outputs, onnxruntime has {len(ref)}"
    for i, (g, r) in enumerate(zip(got, ref)):
        r = np.asarray(r, dtype=np.float32)
        assert g.shape == r.shape, f"{case} isa={isa} output {i}: shape {g.shape} != onnxruntime {r.shape}"
        diff = np.abs(g - r)
        worst = np.unravel_index(int(np.argmax(diff)), diff.shape) if diff.size else ()
        tol = tolerance(r)
        assert diff.size == 0 or diff.max() <= tol, (
            f"{case} isa={isa} output {i}: max|diff| {diff.max():.3g} > {tol:.3g} at {worst} "
            f"(edgecnn {g[worst]:.6g}, onnxruntime {r[worst]:.6g})")
