"""`edgecnn.run(task, frame)`: pre-processing, the network and post-processing in one call."""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from typing import Any, Optional, Sequence, Union

import numpy as np

from . import _core
from .model import Model, load
from .results import Classification, Detections, Instances, Segmentation
from .tasks import TaskNotServed, TaskPlan, canonical_task, plan_task

DEFAULT_CONF = 0.25
DEFAULT_IOU = 0.45
DEFAULT_MAX_DET = 300
DEFAULT_TOP_K = 5

# Models loaded from paths are kept, so run(task, frame, model="x.ecnn") in a
# loop loads the file once; the key includes size and mtime so an overwritten
# file is reloaded.
_MODEL_CACHE_SIZE = 4
_model_cache: "OrderedDict[tuple, Model]" = OrderedDict()
# Held while a path is loaded too, so threads asking for the same file at once
# share one Model instead of each loading its own.
_model_cache_lock = threading.Lock()
# Guards the creation of a Model's task runners (Model._task_runners).
_runner_lock = threading.Lock()

# The largest frame run() accepts: 16384 pixels per side and 2^26 pixels (67
# megapixels: an 8K frame is 33, a 64 MP photo fits). Masks and score maps are
# made at frame size, so a larger frame would need gigabytes; downscale first.
MAX_FRAME_SIDE = 16384
MAX_FRAME_PIXELS = 1 << 26


def _resolve_model(model, num_threads: Optional[int], backend: str = "auto", device: Optional[str] = None) -> Model:
    if isinstance(model, Model):
        return model
    if model is None:
        model = _default_model_path()
    if isinstance(model, (bytes, bytearray, memoryview)):
        return load(model, num_threads=num_threads, backend=backend, device=device)
    if isinstance(model, (str, os.PathLike)):
        path = os.path.abspath(os.fspath(model))
        st = os.stat(path)
        key = (path, st.st_size, st.st_mtime_ns, num_threads, backend, device)
        with _model_cache_lock:
            if key in _model_cache:
                _model_cache.move_to_end(key)
                return _model_cache[key]
            loaded = load(path, num_threads=num_threads, backend=backend, device=device)
            _model_cache[key] = loaded
            while len(_model_cache) > _MODEL_CACHE_SIZE:
                _model_cache.popitem(last=False)
        return loaded
    raise TypeError(f"model must be a path, bytes or edgecnn.Model, got {type(model).__name__}")


def _default_model_path() -> str:
    """The embedded default model (a multi-task network trained on generated scenes)."""
    try:
        from .models import DEFAULT_MODEL_PATH
    except ImportError:
        DEFAULT_MODEL_PATH = None
    if DEFAULT_MODEL_PATH is None or not os.path.exists(DEFAULT_MODEL_PATH):
        raise ValueError("this build has no embedded default model: pass model= a .ecnn path, its bytes, "
                         "or a loaded edgecnn.Model")
    return os.fspath(DEFAULT_MODEL_PATH)


def _as_frame(frame, color: Optional[str]) -> tuple:
    """(H x W x 3 uint8 array, its channel order). PIL images are RGB, arrays BGR unless told."""
    if color is not None and color not in ("rgb", "bgr"):
        raise ValueError(f"color must be 'rgb' or 'bgr', got {color!r}")
    if not isinstance(frame, np.ndarray) and hasattr(frame, "convert") and hasattr(frame, "mode"):
        size = getattr(frame, "size", None)  # PIL: (width, height); checked before converting
        if isinstance(size, tuple) and len(size) == 2:
            _check_frame_size(int(size[1]), int(size[0]))
        frame, color = np.asarray(frame.convert("RGB")), color or "rgb"  # a PIL image
    if not isinstance(frame, np.ndarray):
        raise TypeError(f"frame must be an H x W x 3 uint8 numpy array or a PIL image, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise TypeError(f"frame must have dtype uint8, got {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frame must have shape (H, W, 3), got {frame.shape}")
    if frame.shape[0] == 0 or frame.shape[1] == 0:
        raise ValueError(f"frame is empty: shape {frame.shape}")
    _check_frame_size(frame.shape[0], frame.shape[1])
    return frame, color or "bgr"


def _check_frame_size(h: int, w: int) -> None:
    if h > MAX_FRAME_SIDE or w > MAX_FRAME_SIDE or h * w > MAX_FRAME_PIXELS:
        raise ValueError(f"frame of {h} x {w} pixels is too large: at most {MAX_FRAME_SIDE} per side and "
                         f"{MAX_FRAME_PIXELS} pixels ({MAX_FRAME_PIXELS / 1e6:.1f} megapixels); downscale it first")


def _check_threshold(name: str, value, lo: float = 0.0, hi: float = 1.0) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__}")
    v = float(value)
    if not (lo <= v <= hi):
        raise ValueError(f"{name} must be in [{lo}, {hi}], got {value!r}")
    return v


def _check_count(name: str, value) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value < 2**31:
        raise ValueError(f"{name} must be a positive int below 2^31, got {value!r}")
    return int(value)


class TaskRunner:
    """Runs one task of one model; the plan is derived once per (model, task)."""

    def __init__(self, model: Model, task: str):
        self.model = model
        self.task = task
        try:
            self.plan: TaskPlan = plan_task(task, model.metadata, model.input_shape, model.output_names,
                                            model.output_shapes, model.output_producers)
        except TaskNotServed as e:
            raise ValueError(f"this model cannot serve task {task!r}: {e}") from None

    def preprocess(self, frame: np.ndarray, frame_color: str):
        p = self.plan
        return _core.preprocess(frame, p.input_h, p.input_w, p.letterbox, p.pad_value,
                                frame_color != p.network_color, p.mean, p.std)

    def postprocess(self, outputs: list, frame_hw: tuple, transform: tuple, options: dict):
        """outputs: this task's model outputs, in the order of plan.outputs."""
        p = self.plan
        h, w = frame_hw
        if p.task == "classify":
            ids, scores = _core.classify_topk(outputs[0], min(options["top_k"], p.num_classes),
                                              p.decoder == "logits")
            return Classification(ids, scores, [_label(p.labels, int(i)) for i in ids])
        if p.task == "segment":
            mask, scores = _core.segment_map(outputs[0], h, w, transform, p.input_h, p.input_w,
                                             options["segment_scores"])
            return Segmentation(mask, p.labels, scores if options["segment_scores"] else None)
        boxes, scores, class_ids, anchors = _core.detect_postprocess(
            [outputs[0]], p.decoder, (w, h), scale=(transform[0], transform[1]), pad=(transform[2], transform[3]),
            num_classes=p.num_classes, score_threshold=options["conf"], iou_threshold=options["iou"],
            max_det=options["max_det"], class_agnostic=options["agnostic"])
        names = [_label(p.labels, int(c)) for c in class_ids]
        if p.task == "detect":
            return Detections(boxes, scores, class_ids, names)
        coeffs = _mask_coefficients(outputs[0], p, anchors)
        masks, origins = _core.yolo_proto_masks(coeffs, outputs[1], boxes, h, w, transform, p.input_h, p.input_w)
        return Instances(boxes, scores, class_ids, names, masks=masks, origins=origins, frame_shape=(h, w))


def _run_tasks(model: Model, runners: list, frame, color, options) -> list:
    """Results of several tasks on one frame. Tasks sharing pre-processing share one
    network pass, which computes only the outputs those tasks read."""
    image, frame_color = _as_frame(frame, color)
    results = [None] * len(runners)
    groups: dict = {}
    for i, r in enumerate(runners):
        groups.setdefault(r.plan.preprocess_key, []).append(i)
    for members in groups.values():
        tensor, transform = runners[members[0]].preprocess(image, frame_color)
        wanted = sorted({o for i in members for o in runners[i].plan.outputs})
        computed = dict(zip(wanted, model.forward(tensor, outputs=wanted)))
        for i in members:
            outs = [computed[o] for o in runners[i].plan.outputs]
            results[i] = runners[i].postprocess(outs, image.shape[:2], transform, options)
    return results


def _label(labels, class_id: int) -> str:
    return labels[class_id] if 0 <= class_id < len(labels) else str(class_id)


def _mask_coefficients(prediction: np.ndarray, plan: TaskPlan, anchors: np.ndarray) -> np.ndarray:
    """(N, nm) mask coefficients of the kept anchors (one gather, no Python loop);
    they follow the box and class rows of each anchor."""
    first = 4 + plan.num_classes if plan.decoder == "yolov8" else 5 + plan.num_classes
    if plan.decoder == "yolov8":  # [1, 4 + nc + nm, anchors]
        return np.ascontiguousarray(prediction[0, first:first + plan.num_mask_coeffs][:, anchors].T)
    return np.ascontiguousarray(prediction[0][anchors, first:first + plan.num_mask_coeffs])


def _runner(model: Model, task: str) -> TaskRunner:
    runners = model._task_runners
    runner = runners.get(task)
    if runner is None:
        with _runner_lock:  # one runner per (model, task), however many threads ask at once
            runner = runners.get(task)
            if runner is None:
                runner = runners[task] = TaskRunner(model, task)
    return runner


def run(task: Union[str, Sequence[str], None], frame: Any, model: Union[str, bytes, Model, None] = None, *,
        conf: float = DEFAULT_CONF, iou: float = DEFAULT_IOU, max_det: int = DEFAULT_MAX_DET,
        top_k: int = DEFAULT_TOP_K, agnostic: bool = False, color: Optional[str] = None,
        segment_scores: bool = False, num_threads: Optional[int] = None, backend: str = "auto",
        device: Optional[str] = None):
    """Runs `task` on `frame` (or a list of frames) and returns the result (or a list).

    task: "classify", "segment" (semantic), "detect", "instance" (or an alias);
        a list of tasks returns a dict task -> result, computing the shared
        backbone once; None takes the model's own task.
    frame: H x W x 3 uint8 array (BGR unless color="rgb"), or a PIL image (RGB).
    model: a .ecnn path, its bytes, or a loaded Model; None: the embedded default model.
    conf, iou, max_det, agnostic: detection thresholds (score, NMS IoU, kept count,
        class-agnostic NMS). top_k: classes returned by classify.
    segment_scores: also return per-class probabilities at frame size (segment).
    num_threads, backend, device: how a model given by path or bytes is loaded
        (see edgecnn.load); ignored for a loaded Model.
    """
    m = _resolve_model(model, num_threads, backend, device)
    options = {"conf": _check_threshold("conf", conf), "iou": _check_threshold("iou", iou),
               "max_det": _check_count("max_det", max_det), "top_k": _check_count("top_k", top_k),
               "agnostic": bool(agnostic), "segment_scores": bool(segment_scores)}
    many = isinstance(task, (list, tuple))
    tasks = [canonical_task(t) for t in task] if many else [canonical_task(task if task is not None else (m.task or ""))]
    if many and (not tasks or len(set(tasks)) != len(tasks)):
        raise ValueError(f"task list must be non-empty without repeats, got {task!r}")
    runners = [_runner(m, t) for t in tasks]

    def one(f):
        results = _run_tasks(m, runners, f, color, options)
        return dict(zip(tasks, results)) if many else results[0]

    if isinstance(frame, (list, tuple)):
        return [one(f) for f in frame]
    return one(frame)
