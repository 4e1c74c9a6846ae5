"""One loaded Model shared by 8 Python threads at once (the core releases the
GIL): results identical to serial runs, for edgecnn.run on every task and for
Model.forward; the first use of a task and the model cache under contention."""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

import edgecnn
from edgecnn import api
from robustness_models import INPUT, tiny_models

FIXTURES = Path(__file__).parent / "fixtures" / "models"
THREADS = 8
TASKS = ("classify", "segment", "detect", "instance")


def frames(n, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, (int(rng.integers(20, 90)), int(rng.integers(20, 90)), 3), dtype=np.uint8)
            for _ in range(n)]


def as_arrays(result):
    """Every array (and scalar) of a result, to compare exactly."""
    out = []
    for value in vars(result).values():
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
            out += [np.asarray(v) for v in value]
        else:
            out.append(np.asarray(value, dtype=object) if not isinstance(value, np.ndarray) else value)
    return out


def assert_same(a, b):
    xs, ys = as_arrays(a), as_arrays(b)
    assert len(xs) == len(ys)
    for x, y in zip(xs, ys):
        assert x.shape == y.shape
        assert (x == y).all()


def hammer(fn, jobs):
    """fn(job) for every job from THREADS threads released together; results in job order."""
    start = threading.Barrier(THREADS)

    def worker(chunk):
        start.wait()
        return [(i, fn(job)) for i, job in chunk]

    indexed = list(enumerate(jobs))
    chunks = [indexed[k::THREADS] for k in range(THREADS)]
    with ThreadPoolExecutor(THREADS) as pool:
        done = [r for part in pool.map(worker, chunks) for r in part]
    return [r for _, r in sorted(done, key=lambda t: t[0])]


@pytest.fixture(scope="module")
def tiny():
    return {task: edgecnn.load(data, num_threads=2) for task, data in tiny_models().items()}


@pytest.mark.parametrize("task", TASKS)
def test_run_from_8_threads_equals_serial(tiny, task):
    model = tiny[task]
    jobs = frames(48, seed=TASKS.index(task))
    serial = [edgecnn.run(task, f, model=model) for f in jobs]
    for a, b in zip(serial, hammer(lambda f: edgecnn.run(task, f, model=model), jobs)):
        assert_same(a, b)


def test_mixed_tasks_on_one_multi_output_model_from_8_threads(tiny):
    """detect and instance share the instance model; runs of both interleave."""
    model = tiny["instance"]
    jobs = [(task, f) for f in frames(24, seed=9) for task in ("detect", "instance", ("detect", "instance"))]

    def call(job):
        task, f = job
        return edgecnn.run(list(task) if isinstance(task, tuple) else task, f, model=model)

    serial = [call(j) for j in jobs]
    for a, b in zip(serial, hammer(call, jobs)):
        if isinstance(a, dict):
            assert a.keys() == b.keys()
            for k in a:
                assert_same(a[k], b[k])
        else:
            assert_same(a, b)


def test_forward_from_8_threads_equals_serial(tiny):
    model = tiny["instance"]
    rng = np.random.default_rng(5)
    jobs = [rng.standard_normal(INPUT).astype(np.float32) for _ in range(64)]
    serial = [model.forward(x) for x in jobs]
    parallel = hammer(model.forward, jobs)
    for a, b in zip(serial, parallel):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            np.testing.assert_array_equal(x, y)


def test_first_use_of_a_task_from_8_threads_builds_one_runner(tiny):
    model = edgecnn.load(tiny_models()["instance"], num_threads=2)
    f = frames(1)[0]
    results = hammer(lambda task: edgecnn.run(task, f, model=model), ["detect", "instance"] * (THREADS * 2))
    assert sorted(model._task_runners) == ["detect", "instance"]
    assert all(isinstance(r, edgecnn.Detections) for r in results)


def test_model_cache_loads_a_path_once_under_contention(tmp_path):
    path = tmp_path / "cls.ecnn"
    path.write_bytes(tiny_models()["classify"])
    api._model_cache.clear()
    try:
        models = hammer(lambda _: api._resolve_model(str(path), None), range(THREADS * 2))
        assert len({id(m) for m in models}) == 1
    finally:
        api._model_cache.clear()


@pytest.fixture(scope="module")
def yolo_seg_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("threads") / "yolov8n_seg.ecnn"
    edgecnn.convert(str(FIXTURES / "yolov8n_seg.onnx"), str(path))
    return path


@pytest.fixture(scope="module")
def yolo_seg(yolo_seg_path):
    return edgecnn.load(yolo_seg_path)  # the default thread count: the pool's workers run too


@pytest.mark.parametrize("task", ["detect", "instance"])
def test_a_real_model_from_8_threads_equals_serial(yolo_seg, task):
    jobs = frames(16, seed=21)
    serial = [edgecnn.run(task, f, model=yolo_seg, conf=0.05) for f in jobs]
    for a, b in zip(serial, hammer(lambda f: edgecnn.run(task, f, model=yolo_seg, conf=0.05), jobs)):
        assert_same(a, b)


SPIN_PROBE = """
import sys, numpy as np, edgecnn
path = sys.argv[1]
serial = edgecnn.load(path, num_threads=1)
x = np.random.default_rng(3).standard_normal(serial.input_shape).astype(np.float32)
ref = serial.forward(x)
pool = edgecnn.load(path, num_threads=int(sys.argv[2]))
for i in range(20):
    got = pool.forward(x)
    for a, b in zip(ref, got):
        if not np.allclose(a, b, rtol=1e-4, atol=1e-4):
            print("mismatch at run", i, float(np.abs(a - b).max())); sys.exit(1)
print("ok")
"""


@pytest.mark.parametrize("spin_us,pin", [("0", "1"), ("50", "1"), ("100000", "1"), ("junk", "1"), ("50", "0")])
@pytest.mark.parametrize("threads", [2, 5])
def test_thread_pool_spin_and_sleep_paths_give_serial_results(yolo_seg_path, spin_us, pin, threads):
    """EDGECNN_SPIN_US=0 hands every job over through the condition variables,
    100000 (capped 0.1 s) almost always through polling; 5 threads on a
    2-core machine also make workers wait for a core (and are never pinned:
    fewer cores than threads). "junk" falls back to the default.
    EDGECNN_PIN_THREADS=0 leaves placement to the scheduler."""
    import subprocess
    import sys

    path = yolo_seg_path
    env = dict(os.environ, EDGECNN_SPIN_US=spin_us, EDGECNN_PIN_THREADS=pin,
               PYTHONPATH=os.pathsep.join([str(Path(edgecnn.__file__).parents[1])] + sys.path))
    out = subprocess.run([sys.executable, "-c", SPIN_PROBE, str(path), str(threads)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", (
        f"EDGECNN_SPIN_US={spin_us} threads={threads}: {out.stdout} {out.stderr}")


AFFINITY_PROBE = """
import os, sys, numpy as np, edgecnn
cpus = sorted(os.sched_getaffinity(0))
model = edgecnn.load(sys.argv[1], num_threads=2)
x = np.random.default_rng(4).standard_normal(model.input_shape).astype(np.float32)
ref = edgecnn.load(sys.argv[1], num_threads=1).forward(x)
for mask in ({*cpus}, {cpus[-1]}):  # the whole process mask, then a caller restricted to one core
    os.sched_setaffinity(0, mask)
    for _ in range(3):
        got = model.forward(x)
    assert os.sched_getaffinity(0) == mask, (mask, os.sched_getaffinity(0))
    assert all(np.allclose(a, b, rtol=1e-4, atol=1e-4) for a, b in zip(ref, got))
print("ok")
"""


@pytest.mark.skipif(not hasattr(os, "sched_setaffinity") or len(os.sched_getaffinity(0)) < 2,
                    reason="needs Linux thread affinity and 2 cores")
def test_forward_pins_only_for_its_own_length(yolo_seg_path):
    """An inference pins its caller to one core and its workers to the others
    (ThreadPool::Session); the caller's own affinity is back afterwards,
    including one the caller set itself."""
    import subprocess
    import sys

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(edgecnn.__file__).parents[1])] + sys.path))
    env.pop("EDGECNN_PIN_THREADS", None)
    out = subprocess.run([sys.executable, "-c", AFFINITY_PROBE, str(yolo_seg_path)], env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0 and out.stdout.strip() == "ok", out.stdout + out.stderr
