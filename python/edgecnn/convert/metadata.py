"""The META section: conversion options, validated, and what Ultralytics
exports record in the ONNX metadata_props."""

from __future__ import annotations

import ast
import math
import os
from dataclasses import dataclass, field
from typing import List, Optional, Sequence, Tuple

TASKS = ("classify", "segment", "detect", "instance")
COLORS = ("rgb", "bgr")
# Ultralytics task names → edgecnn's. Their "segment" is instance segmentation;
# pose and obb have no edgecnn task (yet) and map to None.
ULTRALYTICS_TASKS = {"classify": "classify", "detect": "detect", "segment": "instance"}
ULTRALYTICS_KEYS = ("names", "imgsz", "stride", "task")
# Metadata values are parsed with ast.literal_eval, which copes with any length
# but is pointless beyond what a label list can need.
MAX_LITERAL_CHARS = 1 << 20


@dataclass
class Options:
    """Validated conversion options; None means "not given"."""

    task: Optional[str] = None
    input_shape: Optional[Tuple[int, ...]] = None
    labels: Optional[List[str]] = None
    mean: Optional[List[float]] = None
    std: Optional[List[float]] = None
    color: Optional[str] = None
    heads: Optional[dict] = None  # task -> {"outputs": [ONNX output names], ...}: a multi-task model


@dataclass
class UltralyticsInfo:
    raw: dict = field(default_factory=dict)  # metadata_props as written
    task: Optional[str] = None
    labels: Optional[List[str]] = None
    imgsz: Optional[Tuple[int, int]] = None
    stride: Optional[int] = None


def validate_options(task=None, input_shape=None, labels=None, mean=None, std=None, color=None,
                     heads=None) -> Options:
    """Checks the user's options; raises ValueError naming the bad option."""
    if heads is not None:
        heads = _heads(heads)
        if task not in (None, "multi"):
            raise ValueError(f"a model with heads has task 'multi'; got task={task!r}")
        task = "multi"
    elif task is not None and task not in TASKS:
        raise ValueError(f"task must be one of {', '.join(TASKS)}; got {task!r}")
    if color is not None:
        if not isinstance(color, str) or color.lower() not in COLORS:
            raise ValueError(f"color must be 'rgb' or 'bgr'; got {color!r}")
        color = color.lower()
    return Options(
        task=task,
        input_shape=None if input_shape is None else _input_shape(input_shape),
        labels=None if labels is None else _labels(labels),
        mean=None if mean is None else _channel_values("mean", mean, low=0.0, low_inclusive=True),
        std=None if std is None else _channel_values("std", std, low=0.0, low_inclusive=False),
        color=color,
        heads=heads,
    )


def _heads(value) -> dict:
    """{task: {"outputs": [names], other JSON-safe keys}} with tasks from TASKS."""
    if not isinstance(value, dict) or not value:
        raise ValueError(f"heads must be a non-empty dict of task -> {{'outputs': [...]}}; got {value!r}")
    out = {}
    for task, head in value.items():
        if task not in TASKS:
            raise ValueError(f"heads: unknown task {task!r}; expected one of {', '.join(TASKS)}")
        outputs = head.get("outputs") if isinstance(head, dict) else None
        if not outputs or not all(isinstance(o, str) for o in outputs):
            raise ValueError(f"heads[{task!r}] needs 'outputs': a list of output names")
        out[task] = dict(head, outputs=list(outputs))
    return out


def check_head_outputs(options: "Options", output_names: Sequence[str]) -> None:
    for task, head in (options.heads or {}).items():
        missing = [o for o in head["outputs"] if o not in output_names]
        if missing:
            raise ValueError(f"heads[{task!r}] names outputs {missing} that the model does not have "
                             f"(its outputs: {list(output_names)})")


def _input_shape(value) -> Tuple[int, ...]:
    try:
        dims = tuple(int(d) for d in value)
        exact = all(int(d) == d for d in value)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape must be a sequence of positive integers such as (1, 3, 640, 640); got {value!r}") from None
    if not dims or not exact or any(d < 1 for d in dims):
        raise ValueError(f"input_shape must be a sequence of positive integers such as (1, 3, 640, 640); got {value!r}")
    return dims


def _labels(value) -> List[str]:
    if isinstance(value, (str, os.PathLike)):
        try:
            with open(value, encoding="utf-8") as f:
                lines = f.read().splitlines()
        except OSError as e:
            raise ValueError(f"labels: cannot read {os.fspath(value)}: {e.strerror or e}") from None
        labels = [line.strip() for line in lines if line.strip()]
        if not labels:
            raise ValueError(f"labels: {os.fspath(value)} holds no labels (one per line)")
        return labels
    try:
        labels = list(value)
    except TypeError:
        raise ValueError(f"labels must be a file path or a list of strings; got {type(value).__name__}") from None
    if not all(isinstance(label, str) for label in labels):
        raise ValueError("labels must be a file path or a list of strings")
    return labels


def _channel_values(name: str, value, low: float, low_inclusive: bool) -> List[float]:
    try:
        values = [float(v) for v in value]
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be 3 numbers (R, G, B) on the 0-1 scale; got {value!r}") from None
    if len(values) != 3:
        raise ValueError(f"{name} must be 3 numbers (R, G, B) on the 0-1 scale; got {len(values)}")
    for v in values:
        if not math.isfinite(v) or v < low or (v == low and not low_inclusive):
            bound = ">= 0" if low_inclusive else "> 0"
            raise ValueError(f"{name} values must be finite and {bound}; got {values}")
        if v > 1:
            raise ValueError(f"{name} values are on the 0-1 scale (pixel/255); got {values} (divide by 255?)")
    return values


def _literal(text: str):
    if len(text) > MAX_LITERAL_CHARS:
        return None
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return None


def _labels_from_names(names) -> Optional[List[str]]:
    """Ultralytics `names` ({0: 'person', ...} or a list) as a list indexed by class id."""
    if isinstance(names, (list, tuple)):
        return [str(n) for n in names]
    if isinstance(names, dict) and names and all(isinstance(k, int) and k >= 0 for k in names):
        return [str(names.get(i, i)) for i in range(max(names) + 1)]
    return None


def parse_ultralytics(metadata_props: dict) -> Optional[UltralyticsInfo]:
    """What an Ultralytics export recorded; None for a model that is not one."""
    author = metadata_props.get("author", "")
    if not ("ultralytics" in author.lower() or all(k in metadata_props for k in ("names", "task"))):
        return None
    info = UltralyticsInfo(raw=dict(metadata_props))
    task = metadata_props.get("task")
    info.task = ULTRALYTICS_TASKS.get(task) if task else None
    info.labels = _labels_from_names(_literal(metadata_props.get("names", "")))
    imgsz = _literal(metadata_props.get("imgsz", ""))
    if isinstance(imgsz, int) and imgsz > 0:
        info.imgsz = (imgsz, imgsz)
    elif isinstance(imgsz, (list, tuple)) and len(imgsz) == 2 and all(isinstance(d, int) and d > 0 for d in imgsz):
        info.imgsz = (imgsz[0], imgsz[1])
    stride = _literal(metadata_props.get("stride", ""))
    if isinstance(stride, (list, tuple)) and stride and all(isinstance(s, int) for s in stride):
        stride = max(stride)
    if isinstance(stride, int) and stride > 0:
        info.stride = stride
    return info


def build_metadata(
    options: Options,
    ultralytics: Optional[UltralyticsInfo],
    *,
    producer: str,
    source: Optional[str],
    input_name: str,
    input_shape: Sequence[int],
    output_names: Sequence[str],
) -> dict:
    """The META object (docs/format.md); explicit options win over the model's metadata."""
    meta = {"format": "ecnn", "producer": producer}
    if source is not None:
        meta["source"] = source
    meta["task"] = options.task if options.task is not None else (ultralytics.task if ultralytics else None)
    meta["input_name"] = input_name
    meta["input_shape"] = [int(d) for d in input_shape]
    if options.mean is not None or options.std is not None:
        meta["mean"] = options.mean if options.mean is not None else [0.0, 0.0, 0.0]
        meta["std"] = options.std if options.std is not None else [1.0, 1.0, 1.0]
    meta["color"] = options.color or "rgb"
    labels = options.labels if options.labels is not None else (ultralytics.labels if ultralytics else None)
    if labels is not None:
        meta["labels"] = labels
    if ultralytics is not None and ultralytics.stride is not None:
        meta["stride"] = ultralytics.stride
    meta["output_names"] = list(output_names)
    if options.heads is not None:
        meta["heads"] = options.heads
    if ultralytics is not None:
        meta["ultralytics"] = ultralytics.raw
    return meta
