"""How a model serves a task: pre-processing and decoding derived once, at load,
from the model's metadata and output shapes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

TASKS = ("classify", "segment", "detect", "instance")
_ALIASES = {
    "classify": "classify", "classification": "classify", "cls": "classify",
    "segment": "segment", "segmentation": "segment", "semantic": "segment",
    "semantic-segmentation": "segment", "semseg": "segment",
    "detect": "detect", "detection": "detect", "det": "detect",
    "instance": "instance", "instances": "instance", "instance-segmentation": "instance",
    "instance_segmentation": "instance", "instance-seg": "instance",
}


def canonical_task(task) -> str:
    """Our task name for `task` or one of its aliases; ValueError naming the choices otherwise."""
    if not isinstance(task, str):
        raise TypeError(f"task must be a string, got {type(task).__name__}")
    key = task.strip().lower().replace(" ", "-")
    if key not in _ALIASES:
        raise ValueError(f"unknown task {task!r}; expected one of {', '.join(TASKS)} "
                         f"(or an alias such as classification, semantic, detection, instance-segmentation)")
    return _ALIASES[key]


@dataclass(frozen=True)
class TaskPlan:
    task: str
    input_h: int
    input_w: int
    letterbox: bool  # keep aspect and pad (detectors) or stretch (classifiers, segmenters)
    pad_value: float  # letterbox fill, 0..255
    network_color: str  # "rgb" or "bgr"
    mean: tuple  # 0..1 scale
    std: tuple
    decoder: str  # classify: "probabilities"|"logits"; segment: "logits"; detect/instance: "yolov8"|"yolov5"
    num_classes: int
    num_mask_coeffs: int = 0  # instance: prototype coefficients per box
    proto_output: Optional[int] = None  # instance: index of the prototype output


class TaskNotServed(ValueError):
    pass


def plan_task(task: str, metadata: dict, input_shape, output_shapes, output_producers) -> TaskPlan:
    """The plan for running `task` on a model, or TaskNotServed saying why it can't.

    output_producers: op type of the node producing each output (to tell
    probabilities from logits).
    """
    if len(input_shape) != 4 or input_shape[1] != 3:
        raise TaskNotServed(f"the model's input {tuple(input_shape)} is not a 3-channel NCHW image")
    model_task = metadata.get("task")
    if model_task and model_task != task and not (task == "detect" and model_task == "instance"):
        raise TaskNotServed(f"this model was converted for task {model_task!r}, not {task!r}")
    mean = tuple(metadata.get("mean") or (0.0, 0.0, 0.0))
    std = tuple(metadata.get("std") or (1.0, 1.0, 1.0))
    common = dict(input_h=int(input_shape[2]), input_w=int(input_shape[3]),
                  network_color=metadata.get("color", "rgb"), mean=mean, std=std,
                  pad_value=float(metadata.get("pad_value", 114.0)))
    is_ultralytics = "ultralytics" in metadata
    shapes = [tuple(s) for s in output_shapes]
    if task == "classify":
        s = shapes[0]
        if len(s) != 2 or s[0] != 1:
            raise TaskNotServed(f"classify needs a [1, classes] output, the model gives {s}")
        decoder = "probabilities" if output_producers[0] == "Softmax" else "logits"
        return TaskPlan(task, letterbox=bool(metadata.get("letterbox", False)), decoder=decoder,
                        num_classes=s[1], **common)
    if task == "segment":
        s = shapes[0]
        if len(s) != 4 or s[0] != 1:
            raise TaskNotServed(f"segment needs a [1, classes, h, w] output, the model gives {s}")
        return TaskPlan(task, letterbox=bool(metadata.get("letterbox", False)), decoder="logits",
                        num_classes=s[1], **common)
    # detect / instance: YOLO heads.
    s = shapes[0]
    if len(s) != 3 or s[0] != 1:
        raise TaskNotServed(f"{task} needs a [1, channels, anchors] detection output, the model gives {s}")
    labels = metadata.get("labels") or []
    protos = [i for i, p in enumerate(shapes) if len(p) == 4 and i > 0]
    nm = shapes[protos[0]][1] if protos else 0
    if task == "instance" and not protos:
        raise TaskNotServed("instance needs a prototype-mask output [1, masks, h, w]; this model has none")
    decoder = metadata.get("decoder") or ("yolov8" if is_ultralytics or s[1] < s[2] else "yolov5")
    if decoder == "yolov8":
        nc = s[1] - 4 - nm
    elif decoder == "yolov5":
        nc = s[2] - 5 - nm
    else:
        raise TaskNotServed(f"unknown detection decoder {decoder!r}")
    if nc < 1 or (labels and len(labels) != nc):
        raise TaskNotServed(f"the detection output {s} does not fit {len(labels)} labels"
                            f"{f' and {nm} mask coefficients' if nm else ''}")
    return TaskPlan(task, letterbox=bool(metadata.get("letterbox", True)), decoder=decoder, num_classes=nc,
                    num_mask_coeffs=nm if task == "instance" else 0,
                    proto_output=protos[0] if task == "instance" else None, **common)
