"""Bad frames and arguments to edgecnn.run and Model.forward: each is a
ValueError or TypeError naming the problem, never a crash, a hang or a huge
allocation; odd but valid arrays (strided, read-only, broadcast) give the same
results as their contiguous copies. Property-based with hypothesis too."""

import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import edgecnn
from edgecnn.api import MAX_FRAME_PIXELS, MAX_FRAME_SIDE
from edgecnn.ecnn_file import EcnnGraph, Node, Tensor, TensorKind, encode_ecnn
from robustness_models import INPUT, tiny_models

TASKS = ("classify", "segment", "detect", "instance")


@pytest.fixture(scope="module")
def models():
    return {task: edgecnn.load(data, num_threads=1) for task, data in tiny_models().items()}


@pytest.fixture(scope="module")
def frame():
    return np.random.default_rng(11).integers(0, 256, (40, 56, 3), dtype=np.uint8)


def same(a, b):
    """Results equal field by field (arrays exactly)."""
    assert type(a) is type(b)
    for key, value in vars(a).items():
        other = vars(b)[key]
        if isinstance(value, np.ndarray):
            np.testing.assert_array_equal(value, other, err_msg=key)
        elif isinstance(value, (list, tuple)) and value and isinstance(value[0], np.ndarray):
            assert len(value) == len(other)
            for x, y in zip(value, other):
                np.testing.assert_array_equal(x, y, err_msg=key)
        else:
            assert value == other, key


BAD_FRAMES = [
    (np.zeros((10, 10, 3), np.float32), TypeError, "dtype uint8, got float32"),
    (np.zeros((10, 10, 3), np.int16), TypeError, "dtype uint8, got int16"),
    (np.zeros((10, 10, 3), bool), TypeError, "dtype uint8, got bool"),
    (np.zeros((10, 10, 3), object), TypeError, "dtype uint8, got object"),
    (np.zeros((10, 10), np.uint8), ValueError, r"shape \(H, W, 3\), got \(10, 10\)"),
    (np.zeros((10, 10, 1), np.uint8), ValueError, r"shape \(H, W, 3\), got \(10, 10, 1\)"),
    (np.zeros((10, 10, 4), np.uint8), ValueError, r"shape \(H, W, 3\), got \(10, 10, 4\)"),
    (np.zeros((2, 10, 10, 3), np.uint8), ValueError, r"shape \(H, W, 3\), got \(2, 10, 10, 3\)"),
    (np.zeros((3,), np.uint8), ValueError, r"shape \(H, W, 3\)"),
    (np.uint8(3), TypeError, "numpy array or a PIL image, got uint8"),
    (np.zeros((0, 10, 3), np.uint8), ValueError, "empty"),
    (np.zeros((10, 0, 3), np.uint8), ValueError, "empty"),
    (np.broadcast_to(np.uint8(0), (20000, 20000, 3)), ValueError, "20000 x 20000 pixels is too large"),
    (np.broadcast_to(np.uint8(0), (MAX_FRAME_SIDE + 1, 8, 3)), ValueError, "too large"),
    (np.broadcast_to(np.uint8(0), (9000, 9000, 3)), ValueError, "67.1 megapixels"),
    ([[[0, 0, 0]]], TypeError, "numpy array or a PIL image, got list"),
    (None, TypeError, "got NoneType"),
]


@pytest.mark.parametrize("task", TASKS)
@pytest.mark.parametrize("bad,exc,match", BAD_FRAMES, ids=range(len(BAD_FRAMES)))
def test_bad_frames_name_the_problem(models, task, bad, exc, match):
    with pytest.raises(exc, match=match):
        edgecnn.run(task, bad, model=models[task])


@pytest.mark.parametrize("kw,exc,match", [
    ({"conf": -0.01}, ValueError, r"conf must be in \[0.0, 1.0\], got -0.01"),
    ({"iou": -1}, ValueError, "iou must be in"),
    ({"conf": float("nan")}, ValueError, "conf must be in .*nan"),
    ({"iou": float("inf")}, ValueError, "iou must be in .*inf"),
    ({"conf": "0.5"}, TypeError, "conf must be a number, got str"),
    ({"conf": None}, TypeError, "conf must be a number, got NoneType"),
    ({"conf": True}, TypeError, "conf must be a number, got bool"),
    ({"max_det": -5}, ValueError, "max_det must be a positive int"),
    ({"max_det": 2**63}, ValueError, "max_det must be a positive int below 2\\^31"),
    ({"max_det": 2.5}, ValueError, "max_det"),
    ({"top_k": 0}, ValueError, "top_k must be a positive int"),
    ({"color": "RGB"}, ValueError, "color must be 'rgb' or 'bgr'"),
    ({"num_threads": 0}, ValueError, "num_threads"),
])
@pytest.mark.parametrize("task", ["detect", "classify"])
def test_bad_options_name_the_problem(models, frame, task, kw, exc, match):
    model = models[task] if "num_threads" not in kw else tiny_models()[task]
    with pytest.raises(exc, match=match):
        edgecnn.run(task, frame, model=model, **kw)


@pytest.mark.parametrize("task,exc,match", [
    ("pose", ValueError, "unknown task 'pose'"),
    ("", ValueError, "unknown task ''"),
    (3, TypeError, "task must be a string, got int"),
    ([], ValueError, "non-empty"),
    (["detect", "detect"], ValueError, "without repeats"),
    (["detect", "pose"], ValueError, "unknown task 'pose'"),
])
def test_bad_tasks_name_the_problem(models, frame, task, exc, match):
    with pytest.raises(exc, match=match):
        edgecnn.run(task, frame, model=models["detect"])


def test_a_task_the_model_does_not_serve(models, frame):
    with pytest.raises(ValueError, match="cannot serve task 'segment'"):
        edgecnn.run("segment", frame, model=models["detect"])


@pytest.mark.parametrize("task", TASKS)
def test_odd_layouts_give_the_contiguous_result(models, frame, task):
    """Non-contiguous, negative-stride, read-only, transposed and broadcast frames."""
    big = np.random.default_rng(2).integers(0, 256, (80, 112, 6), dtype=np.uint8)
    readonly = frame.copy()
    readonly.flags.writeable = False
    transposed = np.ascontiguousarray(frame.transpose(1, 0, 2)).transpose(1, 0, 2)
    for view in (big[::2, ::2, 1::2], frame[::-1, ::-1, ::-1], readonly, transposed,
                 np.broadcast_to(frame[:1], frame.shape), np.asfortranarray(frame)):
        same(edgecnn.run(task, view, model=models[task]),
             edgecnn.run(task, np.ascontiguousarray(view), model=models[task]))


@pytest.mark.parametrize("task", TASKS)
def test_the_largest_frame_accepted_runs(models, task):
    """MAX_FRAME_PIXELS as a tall strip (a broadcast view: no memory of its own)."""
    h, w = MAX_FRAME_SIDE, MAX_FRAME_PIXELS // MAX_FRAME_SIDE
    if task in ("segment", "instance"):
        h //= 8  # the result holds frame-sized masks: keep the test's memory small
    big = np.broadcast_to(np.array([40, 90, 200], np.uint8), (h, w, 3))
    result = edgecnn.run(task, big, model=models[task])
    assert result is not None


def test_a_one_pixel_frame_runs(models):
    for task in TASKS:
        edgecnn.run(task, np.full((1, 1, 3), 128, np.uint8), model=models[task])


# --- Model.forward ---------------------------------------------------------


@pytest.mark.parametrize("x,exc,match", [
    (np.zeros(INPUT, np.int32), TypeError, "floating-point array, got dtype int32"),
    (np.zeros(INPUT, np.uint8), TypeError, "floating-point array, got dtype uint8"),
    (np.zeros(INPUT, np.complex64), TypeError, "floating-point array, got dtype complex64"),
    (np.zeros(INPUT, object), TypeError, "got dtype object"),
    (np.zeros((1, 3, 32, 31), np.float32), ValueError, r"input 'images' must have shape \[1, 3, 32, 32\], got \[1, 3, 32, 31\]"),
    (np.zeros((3, 32, 32), np.float32), ValueError, r"must have shape \[1, 3, 32, 32\], got \[3, 32, 32\]"),
    (np.zeros((1, 1, 3, 32, 32), np.float32), ValueError, "must have shape"),
    (np.array(1.0, np.float32), ValueError, r"got \[\]"),
    (np.float32(1), TypeError, "numpy array or a list of arrays, got float32"),
    (np.zeros((1, 3, 0, 32), np.float32), ValueError, "must have shape"),
    ([np.zeros(INPUT, np.float32)] * 2, ValueError, r"takes 1 input\(s\), got 2"),
    ([], ValueError, r"takes 1 input\(s\), got 0"),
    ([[0.0]], TypeError, "input 0 must be a numpy ndarray, got list"),
    (5, TypeError, "numpy array or a list of arrays, got int"),
])
def test_bad_forward_inputs_name_the_problem(models, x, exc, match):
    with pytest.raises(exc, match=match):
        models["detect"].forward(x)


def test_a_huge_wrong_input_is_refused_before_it_is_copied(models):
    """A (broadcast) float64 array of 20000 x 20000: refused by shape, not converted first."""
    huge = np.broadcast_to(np.float64(0), (1, 3, 20000, 20000))
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="must have shape"):
            models["detect"].forward(huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20


def test_forward_accepts_any_float_layout(models):
    m = models["segment"]
    x = np.random.default_rng(4).standard_normal(INPUT)
    ref = m.forward(x.astype(np.float32))[0]
    for variant in (x, x.astype(np.float16).astype(np.float64), np.asfortranarray(x), x[..., ::-1][..., ::-1]):
        out = m.forward(variant)[0]
        assert out.shape == ref.shape and out.dtype == np.float32
    np.testing.assert_array_equal(m.forward(x)[0], ref)
    readonly = x.astype(np.float32)
    readonly.flags.writeable = False
    np.testing.assert_array_equal(m.forward(readonly)[0], ref)


def test_nan_and_inf_inputs_are_computed_not_refused(models):
    """Documented choice: Model.forward takes any float32, NaN and inf included, and
    computes with float semantics, no check and no error: NaN spreads through
    arithmetic; activations may turn it into a number (their vector kernels clamp
    or take max(x, 0)). run() frames are uint8 and cannot carry them."""
    w = np.ones((2, 3, 3, 3), np.float32)
    tensors = [Tensor("X", TensorKind.INPUT, INPUT), Tensor("W", TensorKind.CONSTANT, w.shape, w),
               Tensor("Y", TensorKind.ACTIVATION, None)]
    conv = edgecnn.load(encode_ecnn(EcnnGraph(tensors, [Node("Conv", "c", [0, 1], [2], {"kernel_shape": [3, 3]})],
                                              [0], [2])))
    x = np.zeros(INPUT, np.float32)
    x[0, 0, 10, 10] = np.nan
    x[0, 1, 20, 20] = np.inf
    out = conv.forward(x)[0]
    assert np.isnan(out[0, :, 8:11, 8:11]).all() and np.isposinf(out[0, :, 18:21, 18:21]).all()
    assert np.isfinite(out).sum() == out.size - 2 * 9 * 2
    for task in TASKS:
        for value in (np.nan, np.inf, -np.inf, np.finfo(np.float32).max):
            outs = models[task].forward(np.full(INPUT, value, np.float32))
            assert [o.shape for o in outs] == models[task].output_shapes


# --- property-based ----------------------------------------------------------

DTYPES = st.sampled_from([np.uint8, np.int8, np.uint16, np.int32, np.float16, np.float32, np.float64, np.bool_,
                          np.complex64])


@st.composite
def odd_arrays(draw, max_rank=5):
    """Random dtype and shape, then a random view: a step, a reversal or a transpose,
    so strides are arbitrary (including zero and negative)."""
    dtype = draw(DTYPES)
    rank = draw(st.integers(0, max_rank))
    shape = tuple(draw(st.lists(st.integers(0, 12), min_size=rank, max_size=rank)))
    if rank >= 3 and draw(st.booleans()):
        shape = shape[:-1] + (3,)  # often image-like
    base = draw(hnp.arrays(dtype, shape))
    view = base
    for axis in range(view.ndim):
        kind = draw(st.sampled_from(["keep", "step", "reverse", "broadcast"]))
        index = [slice(None)] * view.ndim
        if kind == "step":
            index[axis] = slice(None, None, draw(st.integers(2, 3)))
        elif kind == "reverse":
            index[axis] = slice(None, None, -1)
        view = view[tuple(index)]
        if kind == "broadcast" and view.shape[axis] == 1:
            view = np.broadcast_to(view, view.shape[:axis] + (5,) + view.shape[axis + 1:])
    if view.ndim >= 2 and draw(st.booleans()):
        view = np.swapaxes(view, 0, 1)
    return view


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arr=odd_arrays(), task=st.sampled_from(TASKS))
def test_run_on_random_arrays(models, arr, task):
    try:
        result = edgecnn.run(task, arr, model=models[task])
    except (TypeError, ValueError) as e:
        assert str(e)
        return
    # Accepted: exactly the contiguous copy's result.
    assert arr.dtype == np.uint8 and arr.ndim == 3 and arr.shape[2] == 3
    same(result, edgecnn.run(task, np.ascontiguousarray(arr), model=models[task]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(arr=odd_arrays(), fill=st.sampled_from([None, 0.0, np.nan, np.inf, -np.inf, 1e300]))
def test_forward_on_random_arrays(models, arr, fill):
    """Random arrays, and arrays of the right shape filled with extreme float64
    values (1e300 overflows float32 to inf: silently, no RuntimeWarning)."""
    m = models["detect"]
    if fill is not None:
        arr = np.broadcast_to(np.float64(fill), INPUT)
    try:
        (out,) = m.forward(arr)
    except (TypeError, ValueError) as e:
        assert str(e)
        return
    assert out.shape == m.output_shapes[0] and out.dtype == np.float32
