"""Parity with onnxruntime on real architectures (reduced-width, random-weight
exports made by tools/export_fixtures.py), on every ISA tier."""

import json
from pathlib import Path

import numpy as np
import onnx
import pytest

import edgecnn
from parity import run_onnxruntime, tolerance

FIXTURES = Path(__file__).parent / "fixtures" / "models"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text())["models"]
NAMES = [m["name"] for m in MANIFEST]


@pytest.fixture(scope="module")
def converted(tmp_path_factory):
    """name -> (.ecnn bytes, ONNX proto), converted once per test session."""
    cache = {}

    def get(name):
        if name not in cache:
            entry = next(m for m in MANIFEST if m["name"] == name)
            proto = onnx.load(str(FIXTURES / entry["file"]))
            out = tmp_path_factory.mktemp(name) / f"{name}.ecnn"
            # Ultralytics exports carry their task and labels; torchvision ones
            # get the task from the user, as on the command line.
            options = {} if entry["family"] == "ultralytics" else {"task": entry["task"]}
            edgecnn.convert(proto, str(out), **options)
            cache[name] = (out.read_bytes(), proto, entry)
        return cache[name]

    return get


@pytest.mark.parametrize("name", NAMES)
def test_model_parity(name, isa, converted, rng):
    data, proto, entry = converted(name)
    model = edgecnn.load(data, isa=isa, num_threads=2)
    assert model.input_shape == tuple(entry["input_shape"])
    x = rng.standard_normal(entry["input_shape"]).astype(np.float32)
    if entry["family"] == "ultralytics":
        x = rng.random(entry["input_shape"], dtype=np.float32)  # Ultralytics inputs are pixel/255
    got = model.forward(x)
    ref = run_onnxruntime(proto, {entry["input_name"]: x})
    assert [o["name"] for o in entry["outputs"]] == model.output_names, name
    for i, (g, r) in enumerate(zip(got, ref)):
        assert g.shape == r.shape, f"{name} isa={isa} output {i}: {g.shape} != {r.shape}"
        diff = np.abs(g - r)
        at = np.unravel_index(int(diff.argmax()), diff.shape)
        assert diff.max() <= tolerance(r), (
            f"{name} isa={isa} output {model.output_names[i]}: max|diff| {diff.max():.3g} > {tolerance(r):.3g} "
            f"at {at} (edgecnn {g[at]:.6g}, onnxruntime {r[at]:.6g})")


@pytest.mark.parametrize("name", NAMES)
def test_model_metadata(name, converted):
    data, proto, entry = converted(name)
    model = edgecnn.load(data)
    assert model.task == entry["task"], name
    if entry["family"] == "ultralytics":
        assert model.labels, f"{name}: Ultralytics class names were not carried over"
        assert model.metadata.get("stride"), name
