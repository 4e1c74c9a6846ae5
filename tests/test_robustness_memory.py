"""No leaks, no growth: resident memory stays flat over repeated loads and
inferences once warm (tools/soak.py runs the long version: 5,000 inferences per
task, 1,000 loads)."""

import gc
import os

import numpy as np
import pytest

import edgecnn
from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, encode_ecnn
from robustness_models import tiny_models

pytestmark = [
    pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads VmRSS from /proc"),
    # ASan keeps freed memory in quarantine (256 MB) by design: RSS says nothing there.
    pytest.mark.skipif(bool(os.environ.get("EDGECNN_SANITIZED")), reason="RSS is meaningless under ASan"),
]

MB = 1 << 20


def rss() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


def weighty_model() -> bytes:
    """4.7 MB of weights (two 3x3 convolutions of 256 channels) and a 4 MB arena."""
    rng = np.random.default_rng(0)
    w1 = (rng.standard_normal((256, 256, 3, 3)) * 0.02).astype(np.float32)
    w2 = (rng.standard_normal((256, 256, 3, 3)) * 0.02).astype(np.float32)
    tensors = [Tensor("X", TensorKind.INPUT, (1, 256, 32, 32)), Tensor("W1", TensorKind.CONSTANT, w1.shape, w1),
               Tensor("W2", TensorKind.CONSTANT, w2.shape, w2), Tensor("Y", TensorKind.ACTIVATION, None),
               Tensor("Z", TensorKind.ACTIVATION, None)]
    nodes = [Node("Conv", "c1", [0, 1], [3], {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "activation": "Relu"}),
             Node("Conv", "c2", [3, 2], [4], {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]})]
    return encode_ecnn(EcnnGraph(tensors, nodes, [0], [4]))


def test_load_and_unload_returns_memory():
    data = weighty_model()
    x = np.ones((1, 256, 32, 32), np.float32)
    for _ in range(10):  # warm-up: allocator pools, thread stacks
        edgecnn.load(data, num_threads=2).forward(x)
    gc.collect()
    before = rss()
    for _ in range(150):  # a leak of one model's memory per load would be > 1 GB
        model = edgecnn.load(data, num_threads=2)
        model.forward(x)
        del model
    gc.collect()
    growth = rss() - before
    assert growth < 48 * MB, f"RSS grew {growth / MB:.1f} MB over 150 loads"


def test_inference_memory_is_flat():
    models = {task: edgecnn.load(data, num_threads=2) for task, data in tiny_models().items()}
    rng = np.random.default_rng(1)
    frames = [rng.integers(0, 256, (60 + 7 * i, 80 + 5 * i, 3), dtype=np.uint8) for i in range(8)]

    def rounds(n):
        for i in range(n):
            for task, model in models.items():
                edgecnn.run(task, frames[i % len(frames)], model=model, segment_scores=bool(i % 2))

    rounds(50)
    gc.collect()
    before = rss()
    rounds(500)
    gc.collect()
    growth = rss() - before
    assert growth < 24 * MB, f"RSS grew {growth / MB:.1f} MB over 2,000 inferences"


def test_max_memory_bytes_refuses_a_model_that_needs_more():
    data = tiny_models()["instance"]
    needed = edgecnn.load(data)._backend._core.arena_bytes
    assert needed > 0
    with pytest.raises(edgecnn.ModelFormatError, match=r"more than the model memory limit of 1024 bytes"):
        edgecnn.load(data, max_memory_bytes=1024, backend="native")
    with pytest.raises(edgecnn.ModelFormatError, match="memory limit"):
        edgecnn.load(data, max_memory_bytes=1024)  # auto: a limit is not a missing op, no fallback
    model = edgecnn.load(data, max_memory_bytes=4 * needed)  # enough, with room for what the arena leaves out
    assert model.forward(np.zeros(model.input_shape, np.float32))


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "1GB", 2 ** 63])
def test_max_memory_bytes_must_be_a_positive_int(value):
    with pytest.raises(ValueError, match="max_memory_bytes must be a positive int"):
        edgecnn.load(tiny_models()["instance"], max_memory_bytes=value)


def test_max_memory_bytes_is_native_only():
    with pytest.raises(ValueError, match="native backend"):
        edgecnn.load(tiny_models()["instance"], backend="openvino", max_memory_bytes=1 << 30)
