"""edgecnn.run's front door: argument validation, task aliases, frame forms, result types."""

import json
from pathlib import Path

import numpy as np
import pytest

import edgecnn

FIXTURES = Path(__file__).parent / "fixtures" / "models"


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    out = tmp_path_factory.mktemp("api")
    paths = {}
    for name, options in [("yolov8n", {}), ("yolov8n_seg", {}), ("yolov8n_cls", {}),
                          ("lraspp_mobilenet_v3_large", {"task": "segment",
                                                         "mean": [0.485, 0.456, 0.406],
                                                         "std": [0.229, 0.224, 0.225]})]:
        paths[name] = out / f"{name}.ecnn"
        edgecnn.convert(str(FIXTURES / f"{name}.onnx"), str(paths[name]), **options)
    return paths


@pytest.fixture(scope="module")
def frame():
    rng = np.random.default_rng(3)
    yy, xx = np.mgrid[0:240, 0:320]
    img = np.stack([xx * 255 // 320, yy * 255 // 240, (xx + yy) % 256], axis=-1).astype(np.uint8)
    img[60:180, 80:200] = rng.integers(0, 256, size=3, dtype=np.uint8)
    return img


@pytest.mark.parametrize("alias,task", [("classification", "classify"), ("semantic", "segment"),
                                        ("detection", "detect"), ("instance-segmentation", "instance"),
                                        ("Detect", "detect")])
def test_task_aliases(alias, task):
    from edgecnn.tasks import canonical_task
    assert canonical_task(alias) == task


def test_unknown_task_names_the_choices(models, frame):
    with pytest.raises(ValueError, match="unknown task 'pose'.*classify, segment, detect, instance"):
        edgecnn.run("pose", frame, model=models["yolov8n"])


def test_task_the_model_cannot_serve(models, frame):
    with pytest.raises(ValueError, match="cannot serve task 'segment'"):
        edgecnn.run("segment", frame, model=models["yolov8n"])
    with pytest.raises(ValueError, match="cannot serve task 'instance'"):
        edgecnn.run("instance", frame, model=models["yolov8n"])


@pytest.mark.parametrize("bad,exc,match", [
    (np.zeros((10, 10, 3), np.float32), TypeError, "uint8"),
    (np.zeros((10, 10), np.uint8), ValueError, r"\(H, W, 3\)"),
    (np.zeros((10, 10, 4), np.uint8), ValueError, r"\(H, W, 3\)"),
    (np.zeros((1, 10, 10, 3), np.uint8), ValueError, r"\(H, W, 3\)"),
    (np.zeros((0, 10, 3), np.uint8), ValueError, "empty"),
    ("frame.png", TypeError, "numpy array"),
])
def test_bad_frames(models, bad, exc, match):
    with pytest.raises(exc, match=match):
        edgecnn.run("detect", bad, model=models["yolov8n"])


@pytest.mark.parametrize("kw,exc,match", [
    ({"conf": -0.1}, ValueError, "conf"), ({"conf": 1.5}, ValueError, "conf"), ({"iou": "x"}, TypeError, "iou"),
    ({"max_det": 0}, ValueError, "max_det"), ({"top_k": -1}, ValueError, "top_k"),
    ({"color": "rgba"}, ValueError, "color"),
])
def test_bad_options(models, frame, kw, exc, match):
    with pytest.raises(exc, match=match):
        edgecnn.run("detect", frame, model=models["yolov8n"], **kw)


def test_bad_model_argument(frame):
    with pytest.raises(TypeError, match="model must be a path"):
        edgecnn.run("detect", frame, model=123)


def test_model_forms_agree(models, frame):
    path = models["yolov8n"]
    by_path = edgecnn.run("detect", frame, model=str(path))
    by_bytes = edgecnn.run("detect", frame, model=path.read_bytes())
    loaded = edgecnn.load(path)
    by_model = loaded.run(frame)  # the model's own task
    for r in (by_bytes, by_model):
        np.testing.assert_array_equal(r.boxes, by_path.boxes)
        np.testing.assert_array_equal(r.class_ids, by_path.class_ids)


def test_non_contiguous_and_color_order(models, frame):
    m = edgecnn.load(models["yolov8n_cls"])
    flipped_view = frame[:, ::-1]
    a = m.run(flipped_view)
    b = m.run(np.ascontiguousarray(flipped_view))
    np.testing.assert_array_equal(a.scores, b.scores)
    # A BGR frame and the same pixels given as RGB are the same picture.
    bgr = m.run(frame)
    rgb = m.run(np.ascontiguousarray(frame[..., ::-1]), color="rgb")
    np.testing.assert_allclose(bgr.scores, rgb.scores, rtol=1e-6)


class FakePILImage:
    """Duck-types what run() uses of a PIL image: .mode, .convert('RGB'), the array interface."""

    def __init__(self, rgb):
        self.mode = "RGB"
        self._rgb = rgb

    def convert(self, mode):
        assert mode == "RGB"
        return self

    def __array__(self, dtype=None, copy=None):
        return self._rgb


def test_pil_images_are_rgb(models, frame):
    m = edgecnn.load(models["yolov8n_cls"])
    from_pil = m.run(FakePILImage(np.ascontiguousarray(frame[..., ::-1])))
    np.testing.assert_allclose(from_pil.scores, m.run(frame).scores, rtol=1e-6)


def test_list_of_frames(models, frame):
    results = edgecnn.run("classify", [frame, frame[::2, ::2]], model=models["yolov8n_cls"])
    assert isinstance(results, list) and len(results) == 2
    assert all(isinstance(r, edgecnn.Classification) for r in results)


def test_result_types_and_json(models, frame):
    cls = edgecnn.run("classify", frame, model=models["yolov8n_cls"], top_k=3)
    assert len(cls) == 3 and cls.labels[0] in edgecnn.load(models["yolov8n_cls"]).labels
    assert np.all(np.diff(cls.scores) <= 0)
    seg = edgecnn.run("segment", frame, model=models["lraspp_mobilenet_v3_large"], segment_scores=True)
    assert seg.mask.shape == frame.shape[:2] and seg.scores.shape == (6,) + frame.shape[:2]
    np.testing.assert_allclose(seg.scores.sum(axis=0), 1.0, rtol=1e-4)
    np.testing.assert_array_equal(seg.scores.argmax(axis=0), seg.mask)
    det = edgecnn.run("detect", frame, model=models["yolov8n"], conf=0.3)
    assert det.boxes.shape == (len(det), 4) and (det.scores >= 0.3).all()
    assert (det.boxes[:, [0, 2]] <= frame.shape[1]).all() and (det.boxes[:, [1, 3]] <= frame.shape[0]).all()
    for label, score, box in det:
        assert isinstance(label, str) and 0.3 <= score <= 1 and box.shape == (4,)
    inst = edgecnn.run("instance", frame, model=models["yolov8n_seg"], conf=0.3)
    full = inst.full_masks()
    assert full.shape == (len(inst),) + frame.shape[:2] and full.dtype == bool
    for i, (_, _, _, mask) in enumerate(inst):
        x0, y0 = inst.origins[i]
        np.testing.assert_array_equal(full[i, y0:y0 + mask.shape[0], x0:x0 + mask.shape[1]], mask)
        assert full[i].sum() == mask.sum()  # nothing outside the box region
    for r in (cls, seg, det, inst):
        json.dumps(r.to_dict())
        assert type(r).__name__ in repr(r)
    with pytest.raises((AttributeError, TypeError)):
        det.boxes = None
    with pytest.raises(ValueError):
        det.boxes[0, 0] = 1.0  # read-only arrays
    assert len(inst) and all(not m.flags.writeable for m in inst.masks) and not seg.mask.flags.writeable


def test_results_keep_core_arrays_and_copy_writable_ones():
    # The core's results are read-only and own their memory: the result types
    # keep them as they are. Any other array is copied, so changing the
    # caller's array afterwards cannot change the result.
    masks, origins = edgecnn._core.yolo_proto_masks(
        np.ones((2, 1), np.float32), np.ones((1, 8, 8), np.float32),
        np.array([[1, 1, 20, 12], [5, 2, 9, 30]], np.float32), 32, 32, (1.0, 1.0, 0.0, 0.0), 32, 32)
    assert all(m.flags.owndata and not m.flags.writeable for m in masks)
    boxes = np.array([[1, 1, 20, 12], [5, 2, 9, 30]], np.float32)
    inst = edgecnn.Instances(boxes, np.array([0.9, 0.8], np.float32), np.array([0, 1], np.int32), ["a", "b"],
                             masks=masks, origins=origins, frame_shape=(32, 32))
    assert all(a is b for a, b in zip(inst.masks, masks))
    mine = np.ones((11, 19), bool)
    inst = edgecnn.Instances(boxes[:1], np.array([0.9], np.float32), np.array([0], np.int32), ["a"],
                             masks=[mine], origins=origins[:1], frame_shape=(32, 32))
    mine[:] = False
    assert inst.masks[0].all() and not inst.masks[0].flags.writeable and boxes[0, 0] == 1
    boxes[0, 0] = 7
    assert inst.boxes[0, 0] == 1
    view = np.ones((11, 19), bool)[:, :]
    view.flags.writeable = False  # read-only, but a view of a writable array: copied
    inst = edgecnn.Instances(boxes[:1], np.array([0.9], np.float32), np.array([0], np.int32), ["a"],
                             masks=[view], origins=origins[:1], frame_shape=(32, 32))
    assert inst.masks[0] is not view
