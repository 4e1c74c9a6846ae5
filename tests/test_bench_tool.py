"""The benchmark tool's reporting (edgecnn/bench.py, `edgecnn bench`): the
markdown tables, the ratio to the best peer and the chart, on made-up
results (timing itself is exercised by running the tool)."""

import numpy as np

from edgecnn import bench, cli


def fake_results():
    def engine(ms):
        return {"median_ms": ms, "iqr_ms": ms / 10, "runs": 5, "load_ms": 12.0, "peak_mb": 40.0}

    return [{"model": "net_a", "shape": [1, 3, 224, 224], "threads": t,
             "engines": {"edgecnn": engine(10.0 / t), "onnxruntime": engine(12.0 / t), "openvino": engine(8.0 / t)}}
            for t in (1, 2)]


def test_ratio_is_against_the_best_peer():
    assert bench.ratio(fake_results()[0]["engines"]) == 10.0 / 8.0


def test_markdown_tables():
    text = bench.markdown_tables(fake_results(), list(bench.ENGINES))
    assert "| net_a | 224x224 | 1 | 10.00 ±1.00 | 12.00 ±1.20 | 8.00 ±0.80 | **1.25** |" in text
    assert "| net_a | 40 / 12 | 40 / 12 | 40 / 12 |" in text


def test_chart_without_matplotlib(tmp_path):
    path = tmp_path / "chart.png"
    rel = {("net_a", t, e): v for t in (1, 2) for e, v in (("edgecnn", 0.8), ("onnxruntime", 1.0))}
    bench._write_chart_png(rel, ["net_a"], [1, 2], ["edgecnn", "onnxruntime"], "onnxruntime", str(path))
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_has_the_bench_command():
    args = cli.build_parser().parse_args(["bench", "m.onnx", "--threads", "1", "--runs", "3"])
    assert args.models == ["m.onnx"] and args.threads == "1" and args.runs == 3 and args.run is bench.run
    assert np.isfinite(args.warmup)
