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
    outputs: tuple  # model output indices the task reads: (main,) or (detections, prototypes)
    labels: tuple  # class names of this task's classes
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

    @property
    def preprocess_key(self) -> tuple:
        """Tasks with equal keys share one pre-processed tensor (and one network pass)."""
        return (self.input_h, self.input_w, self.letterbox, self.pad_value, self.network_color, self.mean, self.std)


class TaskNotServed(ValueError):
    pass


def plan_task(task: str, metadata: dict, input_shape, output_names, output_shapes, output_producers) -> TaskPlan:
    """The plan for running `task` on a model, or TaskNotServed saying why it can't.

    A multi-task model's metadata has `heads`: task -> {"outputs": [names],
    optional "decoder", "labels", "letterbox"}; a single-task model serves its
    own task from its outputs in ONNX order.
    output_producers: op type of the node producing each output (to tell
    probabilities from logits).
    """
    if len(input_shape) != 4 or input_shape[1] != 3:
        raise TaskNotServed(f"the model's input {tuple(input_shape)} is not a 3-channel NCHW image")
    heads = metadata.get("heads")
    head: dict = {}
    if heads:
        if task not in heads:
            raise TaskNotServed(f"this multi-task model has heads for {', '.join(heads)} only")
        head = heads[task]
        outputs = tuple(list(output_names).index(name) for name in head["outputs"])
    else:
        model_task = metadata.get("task")
        if model_task and model_task != task and not (task == "detect" and model_task == "instance"):
            raise TaskNotServed(f"this model was converted for task {model_task!r}, not {task!r}")
        outputs = (0,)
        if task == "instance":
            protos = [i for i, p in enumerate(output_shapes) if len(p) == 4 and i > 0]
            if not protos:
                raise TaskNotServed("instance needs a prototype-mask output [1, masks, h, w]; this model has none")
            outputs = (0, protos[0])
    shapes = [tuple(output_shapes[i]) for i in outputs]
    labels = tuple(head.get("labels") or metadata.get("labels") or ())
    common = dict(outputs=outputs, input_h=int(input_shape[2]), input_w=int(input_shape[3]),
                  network_color=metadata.get("color", "rgb"), mean=tuple(metadata.get("mean") or (0.0, 0.0, 0.0)),
                  std=tuple(metadata.get("std") or (1.0, 1.0, 1.0)), pad_value=float(metadata.get("pad_value", 114.0)))
    s = shapes[0]
    if task in ("classify", "segment"):
        letterbox = bool(head.get("letterbox", metadata.get("letterbox", False)))
        if task == "classify":
            if len(s) != 2 or s[0] != 1:
                raise TaskNotServed(f"classify needs a [1, classes] output, the model gives {s}")
            decoder = head.get("decoder") or ("probabilities" if output_producers[outputs[0]] == "Softmax"
                                              else "logits")
        else:
            if len(s) != 4 or s[0] != 1:
                raise TaskNotServed(f"segment needs a [1, classes, h, w] output, the model gives {s}")
            decoder = "logits"
        if labels and len(labels) != s[1]:
            raise TaskNotServed(f"{len(labels)} labels for an output of {s[1]} classes")
        return TaskPlan(task, labels=labels or tuple(str(i) for i in range(s[1])), letterbox=letterbox,
                        decoder=decoder, num_classes=s[1], **common)
    # detect / instance: YOLO-style heads.
    if len(s) != 3 or s[0] != 1:
        raise TaskNotServed(f"{task} needs a [1, channels, anchors] detection output, the model gives {s}")
    mask_rows = _mask_rows(outputs[0], heads, output_names, output_shapes)
    decoder = head.get("decoder") or metadata.get("decoder") or \
        ("yolov8" if "ultralytics" in metadata or s[1] < s[2] else "yolov5")
    if decoder == "yolov8":
        nc = s[1] - 4 - mask_rows
    elif decoder == "yolov5":
        nc = s[2] - 5 - mask_rows
    else:
        raise TaskNotServed(f"unknown detection decoder {decoder!r}")
    nm = mask_rows
    if nc < 1 or (labels and len(labels) != nc):
        raise TaskNotServed(f"the detection output {s} does not fit {len(labels)} labels"
                            f"{f' and {nm} mask coefficients' if nm else ''}")
    return TaskPlan(task, labels=labels or tuple(str(i) for i in range(nc)),
                    letterbox=bool(head.get("letterbox", metadata.get("letterbox", True))), decoder=decoder,
                    num_classes=nc, num_mask_coeffs=nm if task == "instance" else 0, **common)


def _mask_rows(detection_output: int, heads, output_names, output_shapes) -> int:
    """Mask-coefficient rows in a detection output: the channel count of the
    prototype output paired with it (in a single-task model, any 4-D output after
    the first; in a multi-task model, the instance head's), else 0."""
    if heads:
        for head in heads.values():
            names = head["outputs"]
            if len(names) > 1 and list(output_names).index(names[0]) == detection_output:
                return int(output_shapes[list(output_names).index(names[1])][1])
        return 0
    protos = [p for i, p in enumerate(output_shapes) if len(p) == 4 and i > 0]
    return int(protos[0][1]) if protos else 0
