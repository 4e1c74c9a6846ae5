"""`edgecnn run TASK SOURCE`: images, folders, videos, JSON lines, annotated output."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import edgecnn
from edgecnn.cli import main

FIXTURES = Path(__file__).parent / "fixtures" / "models"


@pytest.fixture(scope="module")
def detector(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli") / "det.ecnn"
    edgecnn.convert(str(FIXTURES / "yolov8n.onnx"), str(path))
    return path


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    from PIL import Image

    folder = tmp_path_factory.mktemp("images")
    rng = np.random.default_rng(5)
    frames = []
    for i, (h, w) in enumerate([(120, 160), (97, 203)]):
        img = (rng.random((h, w, 3)) * 255).astype(np.uint8)
        Image.fromarray(img).save(folder / f"frame{i}.png")
        frames.append(img)
    np.save(folder / "frame2.npy", frames[0])
    (folder / "notes.txt").write_text("not an image")
    return folder, frames


def test_folder_to_json_lines_matches_the_api(detector, images, capsys):
    folder, frames = images
    assert main(["run", "detect", str(folder), "--model", str(detector), "--json", "--conf", "0.4"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [Path(r["source"]).name for r in lines] == ["frame0.png", "frame1.png", "frame2.npy"]
    for record, frame in zip(lines, frames + [frames[0]]):
        expected = edgecnn.run("detect", frame, model=str(detector), conf=0.4, color="rgb").to_dict()
        assert record["result"] == json.loads(json.dumps(expected))


def test_save_writes_annotated_pngs(detector, images, tmp_path):
    from PIL import Image

    folder, frames = images
    out = tmp_path / "out"
    assert main(["run", "detect", str(folder / "frame1.png"), "--model", str(detector), "--save", str(out)]) == 0
    saved = np.asarray(Image.open(out / "frame1.png").convert("RGB"))
    assert saved.shape == frames[1].shape
    result = edgecnn.run("detect", frames[1], model=str(detector), color="rgb")
    np.testing.assert_array_equal(saved, edgecnn.draw(frames[1], result, color="rgb"))


def test_video(detector, tmp_path, capsys):
    import cv2

    path = str(tmp_path / "clip.avi")
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*"MJPG"), 5, (96, 64))
    for i in range(3):
        writer.write(np.full((64, 96, 3), 40 * i, np.uint8))
    writer.release()
    assert main(["run", "detect", path, "--model", str(detector), "--json", "--save", str(tmp_path / "v")]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [r["frame"] for r in records] == [0, 1, 2]
    assert sorted(p.name for p in (tmp_path / "v").iterdir()) == [f"clip_{i:06d}.png" for i in range(3)]


@pytest.mark.parametrize("argv,message", [
    (["run", "detect", "/no/such/file.png", "--json"], "no such file"),
    (["run", "detect", __file__, "--json"], "unknown file type"),
    (["run", "pose", "IMG", "--json"], "unknown task"),
])
def test_errors_are_one_line(detector, images, capsys, argv, message):
    folder, _ = images
    argv = [str(folder / "frame0.png") if a == "IMG" else a for a in argv] + ["--model", str(detector)]
    assert main(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and message in err and "Traceback" not in err


def test_console_script_entry_point(detector, images):
    folder, _ = images
    r = subprocess.run([sys.executable, "-m", "edgecnn.cli", "run", "classify", str(folder / "frame0.png"),
                        "--model", str(detector), "--json"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "cannot serve task 'classify'" in r.stderr
