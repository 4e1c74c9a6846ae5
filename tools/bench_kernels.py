#!/usr/bin/env python3
"""GFLOP/s of edgecnn's compute kernels per ISA tier, next to the f32 FMA peak
measured in the same run by a register-only probe (kernels/fma_probe.h).

    PYTHONPATH=python .venv/bin/python tools/bench_kernels.py [--threads 1] [--isa avx512,avx2]
        [--repeats 30] [--only gemm|conv|dwconv|gemv] [--median]

- gemm: the convolution GEMM (ops/gemm_driver.h: packed weights, K/N
  blocking, threads) on real layer shapes, Y = W[M,K] · B[K,N], B a dense
  matrix in memory, two ways per tier: read in place, each kernel call
  requesting its share of the next block (how the driver runs a dense B),
  and packed block by block (how it runs an im2col source; the packing is
  timed); on tiers with channel-lane kernels, for maps of at most 256
  pixels, also through ChannelGemm with B in place (how a 1x1 convolution
  on such a map runs). The numbers are useful FLOPs (2*M*K*N), so padding
  of partial tiles counts against the kernel.
- conv: whole Conv layers (single-node models, bias + ReLU fused) at real
  shapes through edgecnn and onnxruntime, interleaved: what a layer costs
  with its im2col or padded copy, GFLOP/s of useful work.
- dwconv: the depthwise kernels on one channel plane, GFLOP/s (2*k*k FLOPs
  per output).
- gemv: a classifier Gemm (M = 1, constant weights) as a single-node model.

The probe runs on one thread: "% peak" for more threads is against
threads x the one-core peak. On a shared machine a measurement only
underestimates, so both the probe and the kernels report their best of
interleaved repeats (the probe runs between the rows too); medians are in
--median mode.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))

import edgecnn  # noqa: E402
from edgecnn import _core  # noqa: E402

# (network, layer, M = output channels, K = C_in * kh * kw, N = output pixels)
GEMM_SHAPES = [
    ("resnet18", "layer1 3x3", 64, 576, 3136),
    ("resnet18", "layer2 3x3", 128, 1152, 784),
    ("resnet18", "layer3 3x3", 256, 2304, 196),
    ("resnet18", "layer4 3x3", 512, 4608, 49),
    ("resnet18", "conv1 7x7/2", 64, 147, 12544),
    ("mobilenet_v2", "expand 1x1 @56", 144, 24, 3136),
    ("mobilenet_v2", "project 1x1 @14", 96, 576, 196),
    ("mobilenet_v2", "expand 1x1 @7", 960, 160, 49),
    ("yolov8n", "C2f 3x3 @80", 32, 288, 6400),
    ("yolov8n", "3x3 @80 64ch", 64, 576, 6400),
    ("yolov8n", "head 3x3 @80", 80, 720, 6400),
    ("yolov8n", "3x3 @40", 64, 576, 1600),
    ("yolov8n", "C2f 3x3 @160", 16, 144, 25600),
]

# (network, layer, C_in, C_out, H, W of the input, kernel, stride, group)
CONV_SHAPES = [
    ("resnet18", "conv1 7x7/2", 3, 64, 224, 224, 7, 2, 1),
    ("resnet18", "layer1 3x3", 64, 64, 56, 56, 3, 1, 1),
    ("resnet18", "layer2 3x3", 128, 128, 28, 28, 3, 1, 1),
    ("resnet18", "layer3 3x3", 256, 256, 14, 14, 3, 1, 1),
    ("resnet18", "layer4 3x3", 512, 512, 7, 7, 3, 1, 1),
    ("resnet18", "layer3 3x3/2", 128, 256, 28, 28, 3, 2, 1),
    ("resnet18", "layer4 3x3/2", 256, 512, 14, 14, 3, 2, 1),
    ("resnet50", "layer2 3x3/2", 128, 128, 56, 56, 3, 2, 1),
    ("resnet50", "layer3 1x1", 256, 1024, 14, 14, 1, 1, 1),
    ("mobilenet_v2", "expand 1x1 @56", 24, 144, 56, 56, 1, 1, 1),
    ("mobilenet_v2", "expand 1x1 @7", 160, 960, 7, 7, 1, 1, 1),
    ("mobilenet_v2", "dw 3x3 @56", 144, 144, 56, 56, 3, 1, 144),
    ("mobilenet_v2", "dw 3x3/2 @112", 96, 96, 112, 112, 3, 2, 96),
    ("yolov8n", "model.0 3x3/2", 3, 16, 640, 640, 3, 2, 1),
    ("yolov8n", "model.1 3x3/2", 16, 32, 320, 320, 3, 2, 1),
    ("yolov8n", "C2f 3x3 @160", 16, 16, 160, 160, 3, 1, 1),
    ("yolov8n", "1x1 @160", 32, 32, 160, 160, 1, 1, 1),
    ("yolov8n", "3x3 @80", 64, 64, 80, 80, 3, 1, 1),
    ("yolov8n", "head 3x3 @80", 80, 80, 80, 80, 3, 1, 1),
    ("yolov8n", "3x3 @40", 64, 64, 40, 40, 3, 1, 1),
]

DW_SHAPES = [  # (layer, k, s, H, W) of the input plane, padding k // 2
    ("mobilenet_v2 3x3/1 @112", 3, 1, 112, 112),
    ("mobilenet_v2 3x3/2 @112", 3, 2, 112, 112),
    ("mobilenet_v2 3x3/1 @14", 3, 1, 14, 14),
    ("mobilenet_v2 3x3/1 @7", 3, 1, 7, 7),
    ("efficientnet 5x5/1 @28", 5, 1, 28, 28),
    ("efficientnet 5x5/2 @56", 5, 2, 56, 56),
]


def fma_peak(isa: str, seconds: float = 0.2) -> float:
    """Best of several probe runs, in GFLOP/s."""
    iters = 1 << 20
    flops, t = _core.fma_probe(isa, iters)
    iters = max(iters, int(iters * seconds / max(t, 1e-6) / 5))
    best = 0.0
    for _ in range(5):
        flops, t = _core.fma_probe(isa, iters)
        best = max(best, flops / t / 1e9)
    return best


STATISTIC = np.min


def one_node_runners(model, x, isas, threads) -> dict:
    """Run closures of a one-node ONNX model (input "X") on edgecnn at each
    tier in `isas` and on onnxruntime ("ort"), for time_interleaved."""
    import tempfile

    import onnxruntime as ort

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "m.ecnn")
        edgecnn.convert(model, path)
        models = {isa: edgecnn.load(path, isa=isa, num_threads=threads) for isa in isas}
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    sess = ort.InferenceSession(model.SerializeToString(), opts, providers=["CPUExecutionProvider"])
    fns = {isa: (lambda m=models[isa]: m.forward(x)) for isa in isas}
    fns["ort"] = lambda: sess.run(None, {"X": x})
    return fns


def time_interleaved(fns: dict, repeats: int) -> dict:
    for f in fns.values():
        f()
    times = {name: [] for name in fns}
    for _ in range(repeats):
        for name, f in fns.items():
            t = time.perf_counter()
            f()
            times[name].append(time.perf_counter() - t)
    return {name: float(STATISTIC(v)) for name, v in times.items()}


def bench_gemm(isas, threads, repeats, rng) -> None:
    peaks = {isa: fma_peak(isa) for isa in isas}
    print(f"\n### Convolution GEMM, {threads} thread(s): GFLOP/s (% of {threads} x the measured FMA peak)\n")
    stat = "median" if STATISTIC is np.median else "best"
    print(f"({stat} of {repeats} interleaved runs per tier)\n")
    print("FMA peak, one core: " + ", ".join(f"{isa} {p:.0f} GFLOP/s ({_core.fma_probe_name(isa)})"
                                            for isa, p in peaks.items()) + "\n")
    modes = {"in place": True, "packed": False}
    columns = [(isa, mode) for isa in isas for mode in modes]
    # ChannelGemm where the tier has its own channel-lane kernel.
    columns += [(isa, "channel lanes") for isa in isas if _core.f32_gemm_t_kernel_name(isa).endswith("__" + isa)]
    names = {(isa, mode): _core.f32_gemm_t_kernel_name(isa) if mode == "channel lanes" else
             _core.f32_gemm_kernel_name(isa) for isa, mode in columns}
    print("| network | layer | M | K | N | " + " | ".join(f"{isa} {mode} ({names[isa, mode]})"
                                                     for isa, mode in columns) + " |")
    print("|---|---|---:|---:|---:|" + "---:|" * len(columns))
    effs = {col: [] for col in columns}
    for net, layer, m, k, n in GEMM_SHAPES:
        w = rng.standard_normal((m, k)).astype(np.float32)
        b = rng.standard_normal((k, n)).astype(np.float32)
        bias = rng.standard_normal(m).astype(np.float32)
        row = [col for col in columns if col[1] != "channel lanes" or n <= 256]
        ys = {col: np.empty((m, n), np.float32) for col in row}
        gemms = {(isa, mode): _core.F32ChannelGemm(isa, w, n, threads) if mode == "channel lanes" else
                 _core.F32WeightGemm(isa, w, n, threads, b_in_place=modes[mode]) for isa, mode in row}
        med = time_interleaved({col: (lambda g=gemms[col], y=ys[col]: g.run(b, bias, y)) for col in row}, repeats)
        for isa in isas:
            peaks[isa] = max(peaks[isa], fma_peak(isa, 0.05))
        cells = []
        for col in columns:
            if col not in med:
                cells.append("—")
                continue
            gf = 2.0 * m * k * n / med[col] / 1e9
            eff = gf / (peaks[col[0]] * threads)
            effs[col].append(eff)
            cells.append(f"{gf:.0f} ({eff:.0%})")
        print(f"| {net} | {layer} | {m} | {k} | {n} | " + " | ".join(cells) + " |", flush=True)
    print("\nBest FMA peak seen during the table: " + ", ".join(f"{isa} {p:.0f}" for isa, p in peaks.items()) +
          " GFLOP/s (percentages above are against the peak measured before their row); median efficiency: " +
          ", ".join(f"{isa} {mode} {np.median(e):.0%}" for (isa, mode), e in effs.items()))


def _conv_model(c_in, c_out, h, w, k, s, g, rng):
    from onnx import TensorProto, helper, numpy_helper

    wt = (rng.standard_normal((c_out, c_in // g, k, k)) * 0.1).astype(np.float32)
    b = rng.standard_normal(c_out).astype(np.float32)
    nodes = [helper.make_node("Conv", ["X", "W", "B"], ["Y0"], group=g, strides=[s, s], pads=[k // 2] * 4),
             helper.make_node("Relu", ["Y0"], ["Y"])]
    graph = helper.make_graph(nodes, "conv", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, c_in, h, w])],
                              [helper.make_tensor_value_info("Y", TensorProto.FLOAT, None)],
                              [numpy_helper.from_array(wt, "W"), numpy_helper.from_array(b, "B")])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])


def bench_conv(isas, threads, repeats, rng) -> None:
    from onnx import helper  # noqa: F401  (onnx needed for the models)

    peaks = {isa: fma_peak(isa) for isa in isas}
    print(f"\n### Conv layers, {threads} thread(s): GFLOP/s (% of {threads} x the measured FMA peak), "
          "and onnxruntime\n")
    print("| network | layer | C_in→C_out | input | " + " | ".join(isas) + " | onnxruntime | edgecnn / ort |")
    print("|---|---|---|---|" + "---:|" * (len(isas) + 2))
    for net, layer, c_in, c_out, h, w, k, s, g in CONV_SHAPES:
        model = _conv_model(c_in, c_out, h, w, k, s, g, rng)
        x = rng.standard_normal((1, c_in, h, w)).astype(np.float32)
        fns = one_node_runners(model, x, isas, threads)
        t = time_interleaved(fns, repeats)
        oh, ow = (h + 2 * (k // 2) - k) // s + 1, (w + 2 * (k // 2) - k) // s + 1
        flops = 2.0 * c_out * (c_in // g) * k * k * oh * ow
        for isa in isas:
            peaks[isa] = max(peaks[isa], fma_peak(isa, 0.05))
        cells = [f"{flops / t[isa] / 1e9:.0f} ({flops / t[isa] / 1e9 / (peaks[isa] * threads):.0%})" for isa in isas]
        best = min(t[isa] for isa in isas)
        print(f"| {net} | {layer} | {c_in}→{c_out}{' dw' if g > 1 else ''} | {h}x{w}{'/' + str(s) if s > 1 else ''} | "
              + " | ".join(cells) + f" | {flops / t['ort'] / 1e9:.0f} | {best / t['ort']:.2f} |", flush=True)
    print("\n(each call includes the model's input copy and output allocation, as for a whole network's first"
          " and last layer; in the middle of a network a layer pays neither)")


def bench_dwconv(isas, repeats, rng) -> None:
    print("\n### Depthwise kernels, one channel plane, 1 thread: GFLOP/s\n")
    print("| layer | " + " | ".join(isas) + " |")
    print("|---|" + "---:|" * len(isas))
    for layer, k, s, h, wd in DW_SHAPES:
        x = rng.standard_normal((h, wd)).astype(np.float32)
        w = rng.standard_normal((k, k)).astype(np.float32)
        pads = [k // 2] * 4
        reps = max(1, 20000 // (h * wd))  # several planes per timing, as in a layer
        fns = {isa: (lambda isa=isa: [_core.kernel_f32_dwconv(isa, k, s, x, w, 0.5, pads) for _ in range(reps)])
               for isa in isas}
        med = time_interleaved(fns, repeats)
        oh, ow = (h + 2 * (k // 2) - k) // s + 1, (wd + 2 * (k // 2) - k) // s + 1
        flops = 2 * k * k * oh * ow * reps
        print(f"| {layer} | " + " | ".join(f"{flops / med[isa] / 1e9:.1f}" for isa in isas) + " |", flush=True)
    print("\n(through the Python hook: each call allocates its output and scratch, so small planes are"
          " dominated by call overhead; see tools/bench.py for layers inside models)")


def bench_gemv(isas, threads, repeats, rng) -> None:
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    print(f"\n### Classifier Gemm (M = 1, constant weights), {threads} thread(s): GFLOP/s, and onnxruntime\n")
    print("| K x N | " + " | ".join(isas) + " | onnxruntime |")
    print("|---|" + "---:|" * (len(isas) + 1))
    for k, n in ((512, 1000), (1280, 1000), (2048, 1000)):
        wt = rng.standard_normal((n, k)).astype(np.float32)
        b = rng.standard_normal(n).astype(np.float32)
        node = helper.make_node("Gemm", ["X", "W", "B"], ["Y"], transB=1)
        graph = helper.make_graph([node], "g", [helper.make_tensor_value_info("X", TensorProto.FLOAT, [1, k])],
                                  [helper.make_tensor_value_info("Y", TensorProto.FLOAT, [1, n])],
                                  [numpy_helper.from_array(wt, "W"), numpy_helper.from_array(b, "B")])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
        x = rng.standard_normal((1, k)).astype(np.float32)
        fns = one_node_runners(model, x, isas, threads)
        med = time_interleaved(fns, repeats * 10)
        print(f"| {k} x {n} | " + " | ".join(f"{2 * k * n / med[name] / 1e9:.1f}" for name in list(isas) + ["ort"])
              + " |", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--threads", default="1", help="thread counts for the GEMM, comma-separated (default 1)")
    ap.add_argument("--isa", default=",".join(i for i in _core.available_isas() if i != "scalar"),
                    help="tiers to measure (default: the SIMD tiers of this machine)")
    ap.add_argument("--repeats", type=int, default=30)
    ap.add_argument("--only", choices=("gemm", "conv", "dwconv", "gemv"))
    ap.add_argument("--median", action="store_true", help="report medians instead of best times")
    args = ap.parse_args(argv)
    if args.median:
        global STATISTIC
        STATISTIC = np.median
    isas = [i for i in args.isa.split(",") if i]
    rng = np.random.default_rng(0)
    print(f"edgecnn {edgecnn.__version__}, tiers {', '.join(isas)}, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    if args.only in (None, "gemm"):
        for t in (int(v) for v in args.threads.split(",")):
            bench_gemm(isas, t, args.repeats, rng)
    if args.only in (None, "conv"):
        for t in (int(v) for v in args.threads.split(",")):
            bench_conv(isas, t, args.repeats, rng)
    if args.only in (None, "dwconv"):
        bench_dwconv(isas, args.repeats, rng)
    if args.only in (None, "gemv"):
        for t in (int(v) for v in args.threads.split(",")):
            bench_gemv(isas, t, args.repeats, rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
