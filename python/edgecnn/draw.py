"""Drawing results onto frames: ``draw(frame, result)`` returns an annotated copy.

The pixel work is C++ (csrc/draw, through _core); this module picks colors,
sizes and the order of the layers.
"""

from __future__ import annotations

import operator
from typing import Mapping, NamedTuple, Optional, Union

import numpy as np

from . import _core
from .results import Classification, Detections, Instances, Segmentation

Result = Union[Classification, Segmentation, Detections]

# Layers bottom to top: the overlay covering the whole frame first, the
# top-left classification text last so nothing hides it. Instances is a
# Detections.
_LAYERS = (Segmentation, Detections, Classification)

_TOP_K_LINES = 5
# Segmentation class 0 with one of these names is left uncolored.
_BACKGROUND_NAMES = frozenset({"background", "__background__", "_background_", "bg"})
# Class ids a segmentation map may hold: one palette row per id up to the
# largest, so a stray huge id must not allocate a huge table.
_MAX_SEGMENTATION_CLASSES = 1 << 16
_TEXT_COLOR = (255, 255, 255)
_TEXT_BACKGROUND = (0, 0, 0)


class _Style(NamedTuple):
    alpha: float
    thickness: int
    scale: int
    bgr: bool


def draw(frame: np.ndarray, result: Union[Result, Mapping[str, Result]], *, alpha: float = 0.45,
         thickness: Optional[int] = None, font_scale: Optional[int] = None, color: str = "bgr") -> np.ndarray:
    """An annotated copy of `frame` showing `result`; `frame` is not modified.

    frame: (H, W, 3) uint8 image, any memory layout.
    result: a Classification, Segmentation, Detections or Instances, or a dict
        of them (the result of a multi-task call). Segmentation is a
        translucent class-colored overlay (class 0 left clear when it is named
        "background"); detections are class-colored boxes with a
        "label 0.87" tag, instances add a translucent fill of each mask;
        classification is its top 5 "label 0.87" lines in the top-left corner.
        A dict's results are layered in that order: segmentation, then
        instances and detections, then classification.
    alpha: opacity of mask and segmentation fills, in [0, 1].
    thickness: box line width in pixels (default: about min(H, W) / 250).
    font_scale: integer magnification of the 8-pixel-tall font (default:
        about min(H, W) / 360).
    color: channel order of `frame`, "bgr" (OpenCV's) or "rgb".
    """
    image = _writable_copy(frame)
    results = list(result.values()) if isinstance(result, Mapping) else [result]
    results.sort(key=_layer)
    h, w = image.shape[:2]
    style = _Style(
        alpha=_fraction(alpha, "alpha"),
        thickness=_positive_int(thickness, "thickness", default=max(1, round(min(h, w) / 250))),
        scale=_positive_int(font_scale, "font_scale", default=max(1, round(min(h, w) / 360))),
        bgr=_is_bgr(color),
    )
    for r in results:
        if isinstance(r, Segmentation):
            _draw_segmentation(image, r, style)
        elif isinstance(r, Detections):
            _draw_detections(image, r, style)
        else:
            _draw_classification(image, r, style)
    return image


def _writable_copy(frame) -> np.ndarray:
    if not isinstance(frame, np.ndarray):
        raise TypeError(f"frame must be a numpy ndarray, got {type(frame).__name__}")
    if frame.dtype != np.uint8:
        raise TypeError(f"frame must be uint8, got dtype {frame.dtype}")
    if frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(f"frame must be (H, W, 3), got shape {frame.shape}")
    return np.array(frame, order="C", copy=True)


def _layer(result) -> int:
    for i, kind in enumerate(_LAYERS):
        if isinstance(result, kind):
            return i
    raise TypeError(f"cannot draw a {type(result).__name__}; expected Classification, Segmentation, Detections, "
                    "Instances or a dict of them")


def _fraction(value, name: str) -> float:
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be in [0, 1], got {value}")
    return value


def _positive_int(value, name: str, default: int) -> int:
    if value is None:
        return default
    value = operator.index(value)
    if value < 1:
        raise ValueError(f"{name} must be >= 1, got {value}")
    return value


def _is_bgr(color: str) -> bool:
    if color not in ("bgr", "rgb"):
        raise ValueError(f"color must be 'bgr' or 'rgb', got {color!r}")
    return color == "bgr"


def _colors(class_ids, bgr: bool) -> np.ndarray:
    """(N, 3) palette colors of class ids, in the frame's channel order."""
    rgb = _core.palette(np.asarray(class_ids, np.int64).reshape(-1))
    return np.ascontiguousarray(rgb[:, ::-1]) if bgr else rgb


def _label_text(label, score) -> str:
    return f"{label} {float(score):.2f}"


def _draw_segmentation(image: np.ndarray, seg: Segmentation, style: _Style) -> None:
    class_map = seg.mask
    if class_map.shape != image.shape[:2]:
        raise ValueError(f"segmentation mask is {class_map.shape} but the frame is {image.shape[:2]}")
    if class_map.dtype.kind not in "biu":
        raise TypeError(f"segmentation mask must hold integer class ids, got dtype {class_map.dtype}")
    top = int(class_map.max()) if class_map.size else -1
    if class_map.size and (class_map.min() < 0 or top >= _MAX_SEGMENTATION_CLASSES):
        raise ValueError(f"segmentation class ids must be in [0, {_MAX_SEGMENTATION_CLASSES}), "
                         f"got {class_map.min()}..{top}")
    if class_map.dtype not in (np.uint8, np.int32):
        class_map = class_map.astype(np.int32)
    colors = _colors(np.arange(max(len(seg.labels), top + 1)), style.bgr)
    background = bool(seg.labels) and str(seg.labels[0]).strip().lower() in _BACKGROUND_NAMES
    _core.blend_class_map(image, class_map, colors, style.alpha, 0 if background else -1)


def _draw_detections(image: np.ndarray, det: Detections, style: _Style) -> None:
    colors = _colors(det.class_ids, style.bgr)
    if isinstance(det, Instances):
        known = det.frame_shape != (0, 0)  # (0, 0): built without one
        if known and det.frame_shape != image.shape[:2]:
            raise ValueError(f"instances were found in a {det.frame_shape} frame but the frame is {image.shape[:2]}")
        _core.blend_box_masks(image, list(det.masks), det.origins, colors, style.alpha)
    _core.draw_boxes(image, det.boxes, colors, style.thickness)
    texts = [_label_text(label, score) for label, score in zip(det.labels, det.scores)]
    _core.draw_box_labels(image, det.boxes, texts, colors, style.scale)


def _draw_classification(image: np.ndarray, cls: Classification, style: _Style) -> None:
    lines = [_label_text(label, score) for label, score in zip(cls.labels[:_TOP_K_LINES], cls.scores)]
    if lines:
        _core.draw_text(image, "\n".join(lines), 0, 0, style.scale, _TEXT_COLOR, _TEXT_BACKGROUND)
