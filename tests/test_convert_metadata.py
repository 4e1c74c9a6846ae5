"""META contents: Ultralytics metadata, explicit options, input shape choice; the CLI."""

import os
import pathlib
import subprocess
import sys

import pytest
from onnx import helper

from edgecnn import cli
from edgecnn.convert import convert
from edgecnn.convert.metadata import parse_ultralytics
from edgecnn.ecnn_file import read_ecnn
from test_convert_reference import make_model

N = helper.make_node
ULTRALYTICS_PROPS = {
    "description": "Ultralytics YOLOv8n-seg model",
    "author": "Ultralytics",
    "version": "8.1.0",
    "stride": "32",
    "task": "segment",
    "batch": "1",
    "imgsz": "[320, 256]",
    "names": "{0: 'person', 1: 'bicycle', 2: \"o'clock\"}",
}


def ultralytics_model(props=ULTRALYTICS_PROPS):
    return make_model([N("Relu", ["x"], ["output0"])], input_shape=("batch", 3, "height", "width"), outputs=["output0"], metadata=props)


def test_ultralytics_metadata_gives_task_labels_size_and_stride():
    report = convert(ultralytics_model(), None)
    meta = read_ecnn(report.data).metadata
    assert meta == report.metadata
    assert meta["task"] == "instance", "Ultralytics 'segment' is instance segmentation"
    assert meta["labels"] == ["person", "bicycle", "o'clock"]
    assert meta["input_shape"] == [1, 3, 320, 256], "dynamic dims come from imgsz"
    assert meta["stride"] == 32
    assert meta["ultralytics"] == ULTRALYTICS_PROPS
    assert meta["output_names"] == ["output0"]
    assert (meta["format"], meta["input_name"], meta["color"]) == ("ecnn", "x", "rgb")
    assert meta["producer"].startswith("edgecnn-convert ")
    assert "mean" not in meta and "std" not in meta


@pytest.mark.parametrize(
    "task, expected", [("detect", "detect"), ("classify", "classify"), ("segment", "instance"), ("pose", None), ("obb", None)]
)
def test_ultralytics_task_names_map_to_edgecnn_tasks(task, expected):
    assert parse_ultralytics({**ULTRALYTICS_PROPS, "task": task}).task == expected, task


@pytest.mark.parametrize(
    "names, expected",
    [
        ("['cat', 'dog']", ["cat", "dog"]),
        ("{1: 'b', 0: 'a'}", ["a", "b"]),
        ("{0: 'a', 2: 'c'}", ["a", "1", "c"]),
        ("__import__('os').system('echo unsafe')", None),
        ("{0: 'a'", None),
    ],
)
def test_ultralytics_names_are_parsed_as_literals_only(names, expected):
    assert parse_ultralytics({**ULTRALYTICS_PROPS, "names": names}).labels == expected, names


def test_non_ultralytics_metadata_is_ignored():
    assert parse_ultralytics({"author": "someone", "names": "{0: 'a'}"}) is None
    meta = convert(make_model([N("Relu", ["x"], ["y"])], metadata={"author": "someone"}), None).metadata
    assert "ultralytics" not in meta and "labels" not in meta and meta["task"] is None


def test_explicit_options_override_the_model_metadata(tmp_path):
    labels = tmp_path / "labels.txt"
    labels.write_text("cat\n  dog \n\n", encoding="utf-8")
    report = convert(
        ultralytics_model(), None, task="detect", labels=labels, input_shape=(1, 3, 64, 96),
        mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225], color="BGR",
    )  # fmt: skip
    meta = read_ecnn(report.data).metadata
    assert (meta["task"], meta["labels"], meta["input_shape"], meta["color"]) == ("detect", ["cat", "dog"], [1, 3, 64, 96], "bgr")
    assert meta["mean"] == [0.485, 0.456, 0.406] and meta["std"] == [0.229, 0.224, 0.225]


def test_only_mean_given_writes_unit_std():
    meta = convert(make_model([N("Relu", ["x"], ["y"])]), None, mean=(0.5, 0.5, 0.5)).metadata
    assert (meta["mean"], meta["std"]) == ([0.5, 0.5, 0.5], [1.0, 1.0, 1.0])


def test_static_input_keeps_its_shape_and_a_dynamic_batch_becomes_one():
    assert convert(make_model([N("Relu", ["x"], ["y"])], input_shape=(2, 3, 5, 7)), None).metadata["input_shape"] == [2, 3, 5, 7]
    assert convert(make_model([N("Relu", ["x"], ["y"])], input_shape=("n", 3, 5, 7)), None).metadata["input_shape"] == [1, 3, 5, 7]


def test_source_is_the_file_name(tmp_path):
    import onnx

    path = tmp_path / "net.onnx"
    onnx.save(make_model([N("Relu", ["x"], ["y"])]), path)
    report = convert(path, tmp_path / "net.ecnn")
    assert report.metadata["source"] == "net.onnx"
    assert report.output_path == str(tmp_path / "net.ecnn")
    assert (tmp_path / "net.ecnn").read_bytes() == report.data


# ---------------------------------------------------------------------------
# CLI


def test_cli_convert_writes_the_file_and_prints_a_summary(tmp_path, capsys):
    import onnx

    src, out = tmp_path / "in.onnx", tmp_path / "out.ecnn"
    onnx.save(ultralytics_model(), src)
    code = cli.main(["convert", str(src), "-o", str(out), "--input-shape", "1,3,32,32", "--mean", "0.5,0.5,0.5",
                     "--std", "0.25,0.25,0.25", "--color", "bgr", "--task", "detect"])  # fmt: skip
    captured = capsys.readouterr()
    assert code == 0, captured.err
    meta = read_ecnn(out.read_bytes()).metadata
    assert (meta["input_shape"], meta["mean"], meta["std"], meta["color"], meta["task"]) == (
        [1, 3, 32, 32], [0.5] * 3, [0.25] * 3, "bgr", "detect",
    )  # fmt: skip
    assert "nodes: 1 (Relu 1)" in captured.out and "task: detect" in captured.out and "1x3x32x32" in captured.out


def test_cli_reports_errors_in_one_line_and_exit_code_1(tmp_path, capsys):
    import onnx

    src = tmp_path / "in.onnx"
    onnx.save(make_model([N("Sin", ["x"], ["y"], name="sin0")]), src)
    assert cli.main(["convert", str(src), "-o", str(tmp_path / "out.ecnn")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: 1 node(s) cannot run on edgecnn") and "Sin (sin0): operator not supported" in err
    assert "Traceback" not in err
    assert cli.main(["convert", str(src), "-o", str(tmp_path / "o.ecnn"), "--mean", "1,2,300", "--std", "1,1,1"]) == 1
    assert capsys.readouterr().err.startswith("error: mean values are on the 0-1 scale")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.onnx"]


def test_cli_rejects_malformed_numbers_as_usage_errors(capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["convert", "in.onnx", "-o", "o.ecnn", "--mean", "0.5,0.5"])
    assert info.value.code == 2
    assert "expected 3 comma-separated values" in capsys.readouterr().err


def test_onnx_is_imported_lazily_with_an_install_hint(monkeypatch):
    import builtins

    from edgecnn._errors import ConversionError
    from edgecnn.convert import onnx_model

    real_import = builtins.__import__

    def no_onnx(name, *args, **kwargs):
        if name == "onnx" or name.startswith("onnx."):
            raise ImportError("No module named 'onnx'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_onnx)
    with pytest.raises(ConversionError, match=r"pip install edgecnn\[convert\]"):
        onnx_model.import_onnx()


def test_importing_the_converter_and_cli_does_not_import_onnx():
    code = "import sys, edgecnn.cli, edgecnn.convert, edgecnn.ecnn_file; print('onnx' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            env={**os.environ, "PYTHONPATH": str(pathlib.Path(cli.__file__).parents[1])})  # fmt: skip
    assert result.stdout.strip() == "False"
