"""Latency, peak memory and load time of edgecnn next to onnxruntime and OpenVINO.

Each engine runs in its own worker process (so its memory is measured alone),
and the parent interleaves the engines run by run: on a shared, noisy machine
a slow stretch then hits every engine alike. Reported per model and thread
count: median and interquartile range of the timed runs after warm-up, the
peak RSS growth of the worker from just before loading (its high-water
mark minus its RSS after the imports), the load time (edgecnn: load of the converted .ecnn;
onnxruntime: session creation; OpenVINO: read + compile), and the ratio of
edgecnn's median to the best peer's (below 1: edgecnn is faster).

Entry points: ``edgecnn bench`` and ``tools/bench.py`` (same arguments).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import numpy as np

ENGINES = ("edgecnn", "onnxruntime", "openvino")
LABELS = {"edgecnn": "edgecnn", "onnxruntime": "onnxruntime", "openvino": "OpenVINO"}
# Pause between two engines' runs, so that the previous engine's pool threads
# have stopped spinning (onnxruntime and OpenVINO spin-wait after a run) and
# do not steal the next engine's cores: with 2 threads and a 5 ms pause
# OpenVINO measured ResNet-18 at 31 ms, with 50 ms at 12 ms.
_GAP_SECONDS = {1: 0.005}
_GAP_SECONDS_THREADED = 0.05


# ---------------------------------------------------------------- worker side

def _rss_bytes() -> int:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _peak_rss_bytes() -> int:
    # VmHWM is the high-water mark of this process image. ru_maxrss is not:
    # Linux carries it across execve, so a worker would report the RSS its
    # parent had when it forked.
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: Linux KiB, macOS bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale


def ort_session_options(threads: int):
    """onnxruntime's options for a latency run on `threads` threads (one operator at a time)."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return opts


def openvino_config(threads: int) -> dict:
    """OpenVINO's CPU configuration for a latency run on `threads` threads."""
    # FP32 like the others: on CPUs with bf16 instructions OpenVINO would
    # otherwise pick bf16 by itself.
    return {"INFERENCE_NUM_THREADS": threads, "INFERENCE_PRECISION_HINT": "f32", "PERFORMANCE_HINT": "LATENCY",
            "NUM_STREAMS": 1}


def _make_runner(engine: str, model: str, threads: int, x: np.ndarray):
    """Imports the engine, then returns (load, run) closures; load() returns run's state."""
    if engine == "edgecnn":
        import edgecnn

        def load():
            m = edgecnn.load(model, num_threads=threads)
            return lambda: m.forward(x)
    elif engine == "onnxruntime":
        import onnxruntime as ort

        def load():
            sess = ort.InferenceSession(model, ort_session_options(threads), providers=["CPUExecutionProvider"])
            feed = {sess.get_inputs()[0].name: x}
            return lambda: sess.run(None, feed)
    elif engine == "openvino":
        from .backends.openvino_backend import import_openvino

        ov = import_openvino()

        def load():
            core = ov.Core()
            compiled = core.compile_model(core.read_model(model), "CPU", openvino_config(threads))
            request = compiled.create_infer_request()
            return lambda: request.infer({0: x})
    else:
        raise ValueError(f"unknown engine {engine!r}")
    return load


def _worker(engine: str, model: str, threads: int, input_path: str, warmup: int) -> int:
    """Loads, warms up, then times one run per 'run' line on stdin (protocol: JSON lines)."""
    x = np.load(input_path)
    load = _make_runner(engine, model, threads, x)
    rss0 = _rss_bytes()
    t0 = time.perf_counter()
    run = load()
    load_s = time.perf_counter() - t0
    for _ in range(warmup):
        run()
    print(json.dumps({"ready": True, "load_s": load_s}), flush=True)
    for line in sys.stdin:
        cmd = line.strip()
        if cmd == "run":
            t = time.perf_counter()
            run()
            print(json.dumps({"s": time.perf_counter() - t}), flush=True)
        elif cmd == "quit":
            break
    print(json.dumps({"peak_bytes": max(0, _peak_rss_bytes() - rss0)}), flush=True)
    return 0


# ---------------------------------------------------------------- parent side

def available_engines(wanted: Sequence[str]) -> List[str]:
    out = []
    for e in wanted:
        if e == "edgecnn":
            out.append(e)
            continue
        try:
            __import__(e)
            out.append(e)
        except ImportError:
            print(f"note: {e} is not importable, skipped", file=sys.stderr)
    return out


class _Worker:
    def __init__(self, engine: str, model: str, threads: int, input_path: str, warmup: int, env: dict):
        self.engine = engine
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "edgecnn.bench", "--worker", engine, model, str(threads), input_path, str(warmup)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
        self.load_s = self._read()["load_s"]

    def _read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"{self.engine} worker exited (code {self.proc.wait()})")
        return json.loads(line)

    def run(self) -> float:
        self.proc.stdin.write("run\n")
        self.proc.stdin.flush()
        return self._read()["s"]

    def close(self) -> int:
        self.proc.stdin.write("quit\n")
        self.proc.stdin.flush()
        peak = self._read()["peak_bytes"]
        self.proc.wait()
        return peak


def _child_env() -> dict:
    env = dict(os.environ)
    pkg_parent = str(Path(__file__).resolve().parent.parent)
    env["PYTHONPATH"] = pkg_parent + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return env


def _stats(times: List[float]) -> dict:
    q = np.percentile(np.asarray(times) * 1e3, [25, 50, 75])
    return {"median_ms": float(q[1]), "iqr_ms": float(q[2] - q[0]), "runs": len(times)}


def _input_shape(onnx_path: str, manifest: dict) -> List[int]:
    entry = manifest.get(Path(onnx_path).name)
    if entry and entry.get("input_shape"):
        return list(entry["input_shape"])
    import onnx

    graph = onnx.load(onnx_path, load_external_data=False).graph
    inits = {i.name for i in graph.initializer}
    inp = next(i for i in graph.input if i.name not in inits)
    return [d.dim_value if d.dim_value > 0 else 1 for d in inp.type.tensor_type.shape.dim]


def _load_manifest(models: Sequence[str]) -> dict:
    out = {}
    for d in {str(Path(m).resolve().parent) for m in models}:
        path = Path(d) / "manifest.json"
        if path.is_file():
            for entry in json.loads(path.read_text()).get("models", []):
                out[entry["file"]] = entry
    return out


def bench_model(onnx_path: str, ecnn_path: str, shape: List[int], engines: Sequence[str], threads: int,
                runs: int, warmup: int, tmp: str, seed: int = 0) -> dict:
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    input_path = os.path.join(tmp, "input.npy")
    np.save(input_path, x)
    env = _child_env()
    workers = []
    try:
        for e in engines:  # loaded one after another: load times do not overlap
            workers.append(_Worker(e, ecnn_path if e == "edgecnn" else onnx_path, threads, input_path, warmup, env))
        times: Dict[str, List[float]] = {w.engine: [] for w in workers}
        for i in range(runs):
            # Rotate the order so that no engine always runs right after another.
            for w in workers[i % len(workers):] + workers[:i % len(workers)]:
                times[w.engine].append(w.run())
                time.sleep(_GAP_SECONDS.get(threads, _GAP_SECONDS_THREADED))
        result = {}
        for w in workers:
            peak = w.close()
            result[w.engine] = dict(_stats(times[w.engine]), load_ms=w.load_s * 1e3, peak_mb=peak / 2**20)
        return result
    finally:
        for w in workers:
            if w.proc.poll() is None:
                w.proc.kill()
                w.proc.wait()


def machine_info() -> dict:
    info = {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()}
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        fields = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
        fields = {k.strip(): v.strip() for k, v in fields.items()}
        family = fields.get("CPU family", "")
        info["cpu"] = f"{fields.get('Model name', info['cpu'])} (family {family}, model {fields.get('Model', '')})"
        info["cores"] = int(fields.get("CPU(s)", info["cores"]))
        info["caches"] = ", ".join(f"{k.split()[0]} {fields[k]}" for k in ("L1d cache", "L2 cache", "L3 cache")
                                   if k in fields)
    except (OSError, subprocess.CalledProcessError, ValueError):
        pass
    import edgecnn

    versions = {"edgecnn": getattr(edgecnn, "__version__", "?"), "python": platform.python_version(),
                "numpy": np.__version__}
    for mod in ("onnxruntime", "openvino"):
        try:
            versions[mod] = __import__(mod).__version__
        except ImportError:
            pass
    info["versions"] = versions
    info["isa"] = edgecnn._core.default_isa()
    info["date"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return info


def _cell(r: Optional[dict]) -> str:
    return "–" if r is None else f"{r['median_ms']:.2f} ±{r['iqr_ms']:.2f}"


def ratio(row: dict) -> Optional[float]:
    peers = [row[e]["median_ms"] for e in ENGINES[1:] if e in row]
    return row["edgecnn"]["median_ms"] / min(peers) if peers and "edgecnn" in row else None


def markdown_tables(results: List[dict], engines: Sequence[str]) -> str:
    head = ["model", "input", "threads"] + [f"{LABELS[e]} ms" for e in engines] + ["edgecnn / best peer"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * 3 + "---:|" * (len(engines) + 1)]
    for r in results:
        q = ratio(r["engines"])
        lines.append("| " + " | ".join([r["model"], "x".join(map(str, r["shape"][2:])), str(r["threads"])] +
                                       [_cell(r["engines"].get(e)) for e in engines] +
                                       [f"**{q:.2f}**" if q is not None else "–"]) + " |")
    lines += ["", "Peak memory (MB, RSS growth from just before loading) and load time (ms), 1 thread:", ""]
    head = ["model"] + [f"{LABELS[e]} MB / load ms" for e in engines]
    lines += ["| " + " | ".join(head) + " |", "|---|" + "---:|" * len(engines)]
    seen = set()
    for r in results:
        if r["model"] in seen:
            continue
        seen.add(r["model"])
        cells = []
        for e in engines:
            v = r["engines"].get(e)
            cells.append("–" if v is None else f"{v['peak_mb']:.0f} / {v['load_ms']:.0f}")
        lines.append("| " + " | ".join([r["model"]] + cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- chart

def write_chart(results: List[dict], engines: Sequence[str], path: str) -> None:
    """Latency relative to onnxruntime per model, one panel per thread count."""
    thread_counts = sorted({r["threads"] for r in results})
    models = list(dict.fromkeys(r["model"] for r in results))
    base = "onnxruntime" if "onnxruntime" in engines else engines[0]
    rel = {}
    for r in results:
        b = r["engines"].get(base)
        for e in engines:
            if b and e in r["engines"]:
                rel[(r["model"], r["threads"], e)] = r["engines"][e]["median_ms"] / b["median_ms"]
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        _write_chart_png(rel, models, thread_counts, engines, base, path)
        return
    fig, axes = plt.subplots(len(thread_counts), 1, figsize=(11, 3.2 * len(thread_counts)), squeeze=False)
    width = 0.8 / len(engines)
    for ax, t in zip(axes[:, 0], thread_counts):
        for i, e in enumerate(engines):
            vals = [rel.get((m, t, e), np.nan) for m in models]
            ax.bar(np.arange(len(models)) + (i - (len(engines) - 1) / 2) * width, vals, width, label=LABELS[e])
        ax.axhline(1.0, color="gray", lw=0.8)
        ax.set_xticks(np.arange(len(models)))
        ax.set_xticklabels(models, fontsize=8, rotation=15, ha="right")
        ax.set_ylabel(f"latency / {LABELS[base]}")
        ax.set_title(f"{t} thread{'s' if t > 1 else ''} (lower is faster)", fontsize=10)
        ax.legend(fontsize=8, ncol=len(engines))
    fig.tight_layout()
    fig.savefig(path, dpi=110)


_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40)]


def _write_chart_png(rel, models, thread_counts, engines, base, path) -> None:
    """The same chart without matplotlib: numpy bars, edgecnn's own text and PNG writer."""
    from . import _core
    from ._png import write_png

    panel_h, left, top, group_w = 260, 60, 30, 96
    width = max(560, left + group_w * len(models) + 20)
    img = np.full((panel_h * len(thread_counts) + 20, width, 3), 255, np.uint8)
    ymax = max([v for v in rel.values() if np.isfinite(v)] + [1.0]) * 1.1
    bar_w = (group_w - 16) // len(engines)
    for p, t in enumerate(thread_counts):
        y0 = p * panel_h + top
        plot_h = panel_h - top - 50
        _core.draw_text(img, f"{t} thread(s): latency / {LABELS[base]} (lower is faster)", left, y0 - 24, 1,
                        (0, 0, 0))
        img[y0:y0 + plot_h, left - 1] = 0
        img[y0 + plot_h, left:width - 10] = 0
        one = y0 + plot_h - int(plot_h / ymax)
        img[one, left:width - 10] = 160
        _core.draw_text(img, "1.0", 8, one - 6, 1, (0, 0, 0))
        for mi, m in enumerate(models):
            gx = left + mi * group_w + 8
            for ei, e in enumerate(engines):
                v = rel.get((m, t, e))
                if v is None or not np.isfinite(v):
                    continue
                h = int(plot_h * min(v, ymax) / ymax)
                img[y0 + plot_h - h:y0 + plot_h, gx + ei * bar_w:gx + (ei + 1) * bar_w - 2] = _COLORS[ei % 4]
            _core.draw_text(img, m[:14], gx - 4, y0 + plot_h + 6, 1, (0, 0, 0))
        for ei, e in enumerate(engines):
            lx = width - 150
            img[y0 + ei * 16:y0 + ei * 16 + 10, lx:lx + 10] = _COLORS[ei % 4]
            _core.draw_text(img, LABELS[e], lx + 14, y0 + ei * 16 - 2, 1, (0, 0, 0))
    write_png(path, img, color="rgb")


# ---------------------------------------------------------------- main

def _find_models(args_models: Sequence[str], model_dir: str) -> List[str]:
    if args_models:
        return list(args_models)
    found = sorted(str(p) for p in Path(model_dir).glob("*.onnx"))
    if not found:
        raise FileNotFoundError(f"no .onnx models in {model_dir} (regenerate: tools/export_fixtures.py --full)")
    return found


def build_parser(prog: str = "edgecnn bench") -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n\n")[0])
    add_arguments(p)
    return p


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("models", nargs="*", metavar="MODEL.onnx", help="models to time (default: all in --model-dir)")
    p.add_argument("--model-dir", default="bench/models", help="where to find models by default (bench/models)")
    p.add_argument("--threads", default="1,2", help="thread counts, comma-separated (default 1,2)")
    p.add_argument("--runs", type=int, default=30, help="timed runs per engine (default 30)")
    p.add_argument("--warmup", type=int, default=5, help="untimed runs per engine after loading (default 5)")
    p.add_argument("--engines", default=",".join(ENGINES), help="engines to compare (default: all importable)")
    p.add_argument("--json", metavar="FILE", help="also write the raw results as JSON")
    p.add_argument("--chart", metavar="PNG", help="write a bar chart of latency relative to onnxruntime")
    p.add_argument("--from-json", metavar="FILE", help="no timing: print and chart earlier --json results")
    p.add_argument("--profile", action="store_true",
                   help="print edgecnn's per-layer profile of each model (also: EDGECNN_PROFILE=1)")


def run(args) -> int:
    if args.from_json:
        data = json.loads(Path(args.from_json).read_text())
        results, engines, info = data["results"], data["engines"], data["machine"]
    else:
        engines = available_engines([e.strip() for e in args.engines.split(",") if e.strip()])
        models = _find_models(args.models, args.model_dir)
        manifest = _load_manifest(models)
        threads = [int(t) for t in args.threads.split(",")]
        info = machine_info()
        results = []
        profile = args.profile or os.environ.get("EDGECNN_PROFILE", "") not in ("", "0")
        import edgecnn

        with tempfile.TemporaryDirectory() as tmp:
            for model in models:
                name = Path(model).stem
                shape = _input_shape(model, manifest)
                ecnn = os.path.join(tmp, name + ".ecnn")
                task = manifest.get(Path(model).name, {}).get("task")
                edgecnn.convert(model, ecnn, input_shape=shape, **({"task": task} if task else {}))
                for t in threads:
                    r = bench_model(model, ecnn, shape, engines, t, args.runs, args.warmup, tmp)
                    results.append({"model": name, "shape": shape, "threads": t, "engines": r})
                    q = ratio(r)
                    print(f"{name} x{t}: " + ", ".join(f"{LABELS[e]} {_cell(v)} ms" for e, v in r.items()) +
                          (f"; ratio {q:.2f}" if q is not None else ""), file=sys.stderr, flush=True)
                if profile:
                    x = np.random.default_rng(0).standard_normal(shape).astype(np.float32)
                    prof = edgecnn.load(ecnn, num_threads=threads[0]).profile(x, runs=10)
                    print(f"\n### {name}: per-layer profile, {threads[0]} thread(s)\n\n{prof.table()}\n")
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": info, "engines": engines, "results": results},
                                                  indent=1))
    print(f"Machine: {info['cpu']}, {info['cores']} cores" + (f" ({info['caches']})" if info.get("caches") else "") +
          f"; ISA tier {info['isa']}; {info['date']}")
    print("Versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()) + "\n")
    print(markdown_tables(results, engines))
    if args.chart:
        write_chart(results, engines, args.chart)
        print(f"\nwrote {args.chart}", file=sys.stderr)
    return 0


def main(argv: Optional[Sequence[str]] = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--worker"]:
        engine, model, threads, input_path, warmup = argv[1:6]
        return _worker(engine, model, int(threads), input_path, int(warmup))
    return run(build_parser("bench").parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
