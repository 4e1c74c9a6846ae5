"""The embedded default model: offline use with no model argument, all four heads
in one pass, and its accuracy through edgecnn.run on held-out generated scenes."""

import os

import numpy as np
import pytest

import edgecnn
from edgecnn.evaluate import evaluate_scenes
from edgecnn.models import DEFAULT_MODEL_PATH
from edgecnn.scenes import SHAPE_CLASSES, generate_scene

TASKS = ["classify", "segment", "detect", "instance"]
HELD_OUT_SEED = 10_000_000  # tools/eval_default.py's default; training uses seeds below 10^6


def test_shipped_and_small():
    assert os.path.getsize(DEFAULT_MODEL_PATH) <= 4 * 1024 * 1024
    m = edgecnn.load(DEFAULT_MODEL_PATH)
    assert m.task == "multi"
    assert set(m.metadata["heads"]) == set(TASKS)


def test_run_without_a_model_serves_every_task():
    frame = generate_scene(HELD_OUT_SEED + 999, height=200, width=260).image
    results = {t: edgecnn.run(t, frame, color="rgb") for t in TASKS}
    assert isinstance(results["classify"], edgecnn.Classification)
    assert results["classify"].labels[0] in SHAPE_CLASSES
    assert results["segment"].mask.shape == (200, 260)
    assert isinstance(results["detect"], edgecnn.Detections)
    assert isinstance(results["instance"], edgecnn.Instances)


@pytest.mark.parametrize("seed", [HELD_OUT_SEED + 1, HELD_OUT_SEED + 2])
def test_one_call_equals_separate_calls(seed):
    frame = generate_scene(seed).image
    together = edgecnn.run(TASKS, frame, color="rgb")
    assert list(together) == TASKS
    for task in TASKS:
        alone = edgecnn.run(task, frame, color="rgb")
        assert together[task].to_dict() == alone.to_dict(), task


def test_one_call_runs_the_network_once(monkeypatch):
    from edgecnn.model import Model

    calls = []
    original = Model.forward

    def counting(self, x, outputs=None):
        calls.append(outputs)
        return original(self, x, outputs)

    monkeypatch.setattr(Model, "forward", counting)
    edgecnn.run(TASKS, generate_scene(HELD_OUT_SEED + 3).image, color="rgb")
    assert len(calls) == 1 and sorted(calls[0]) == [0, 1, 2, 3]
    calls.clear()
    edgecnn.run("detect", generate_scene(HELD_OUT_SEED + 3).image, color="rgb")
    assert len(calls) == 1 and len(calls[0]) == 1  # only the detection head's output


def test_accuracy_on_held_out_scenes():
    # The targets on 500 scenes (tools/eval_default.py) are top-1 >= 0.95,
    # mIoU >= 0.85, box and mask mAP@0.5 >= 0.90 / 0.85; 150 scenes vary
    # more, hence the looser bounds here.
    m = evaluate_scenes(None, range(HELD_OUT_SEED, HELD_OUT_SEED + 150))
    summary = ", ".join(f"{k} {v:.3f}" for k, v in m.items())
    assert m["scenes"] == 150
    assert m["top1"] >= 0.93, summary
    assert m["miou"] >= 0.80, summary
    assert m["box_map50"] >= 0.85, summary
    assert m["mask_map50"] >= 0.80, summary


def test_demo_writes_a_two_by_two_panel(tmp_path, capsys):
    from edgecnn.cli import main

    out = tmp_path / "demo.png"
    assert main(["demo", "--out", str(out), "--seed", "3", "--size", "120,160"]) == 0
    text = capsys.readouterr().out
    for task in TASKS:
        assert task in text
    from PIL import Image

    panel = np.asarray(Image.open(out))
    assert panel.shape[:2] == (2 * 120 + 4, 2 * 160 + 4)
