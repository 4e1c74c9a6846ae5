"""Result types of the four tasks: small frozen values with numpy fields.

Every array field is read-only. ``to_dict()`` gives JSON-safe plain Python;
iteration yields one tuple per answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

import numpy as np


def _frozen(a, dtype) -> np.ndarray:
    """A read-only array of `a`: a copy, unless `a` is already read-only, owns
    its memory and has the dtype (as the native core's results are), so that
    no other array can change it."""
    if isinstance(a, np.ndarray) and a.dtype == dtype and a.flags.owndata and not a.flags.writeable:
        return a
    arr = np.array(a, dtype=dtype, copy=True)
    arr.flags.writeable = False
    return arr


def _label(labels, class_id: int) -> str:
    return labels[class_id] if 0 <= class_id < len(labels) else str(class_id)


@dataclass(frozen=True, repr=False)
class Classification:
    """Top-k classes of an image, best first."""

    class_ids: np.ndarray  # (k,) int32
    scores: np.ndarray  # (k,) float32
    labels: tuple  # (k,) names of class_ids

    def __post_init__(self):
        object.__setattr__(self, "class_ids", _frozen(self.class_ids, np.int32))
        object.__setattr__(self, "scores", _frozen(self.scores, np.float32))
        object.__setattr__(self, "labels", tuple(self.labels))

    def __iter__(self) -> Iterator[tuple]:
        for label, score, cid in zip(self.labels, self.scores, self.class_ids):
            yield label, float(score), int(cid)

    def __len__(self) -> int:
        return len(self.class_ids)

    @property
    def top1(self) -> Optional[tuple]:
        return next(iter(self), None)

    def to_dict(self) -> dict:
        return {"task": "classify",
                "classes": [{"class_id": c, "label": lab, "score": s} for lab, s, c in self]}

    def __repr__(self) -> str:
        items = ", ".join(f"{lab}: {s:.3f}" for lab, s, _ in self)
        return f"Classification({items})"


@dataclass(frozen=True, repr=False)
class Segmentation:
    """A class id for every pixel of the frame."""

    mask: np.ndarray  # (H, W) class ids
    labels: tuple  # class names, index = class id
    scores: Optional[np.ndarray] = None  # (C, H, W) float32 per-class probabilities, on request

    def __post_init__(self):
        object.__setattr__(self, "mask", _frozen(self.mask, self.mask.dtype))
        object.__setattr__(self, "labels", tuple(self.labels))
        if self.scores is not None:
            object.__setattr__(self, "scores", _frozen(self.scores, np.float32))

    def __iter__(self) -> Iterator[tuple]:
        """(label, class id, pixel count) for every class present, most pixels first."""
        counts = np.bincount(self.mask.ravel().astype(np.int64), minlength=len(self.labels))
        for cid in np.argsort(-counts, kind="stable"):
            if counts[cid]:
                yield _label(self.labels, int(cid)), int(cid), int(counts[cid])

    def class_fractions(self) -> dict:
        total = self.mask.size
        return {label: n / total for label, _, n in self}

    def to_dict(self) -> dict:
        return {"task": "segment", "height": int(self.mask.shape[0]), "width": int(self.mask.shape[1]),
                "classes": [{"class_id": c, "label": lab, "pixels": n} for lab, c, n in self]}

    def __repr__(self) -> str:
        h, w = self.mask.shape
        parts = ", ".join(f"{lab}: {n / self.mask.size:.1%}" for lab, _, n in list(self)[:5])
        return f"Segmentation({h}x{w}, {parts})"


@dataclass(frozen=True, repr=False)
class Detections:
    """Objects found in a frame: boxes in frame pixels (x1, y1, x2, y2), best score first."""

    boxes: np.ndarray  # (N, 4) float32
    scores: np.ndarray  # (N,) float32
    class_ids: np.ndarray  # (N,) int32
    labels: tuple  # (N,) names

    def __post_init__(self):
        object.__setattr__(self, "boxes", _frozen(np.reshape(self.boxes, (-1, 4)), np.float32))
        object.__setattr__(self, "scores", _frozen(self.scores, np.float32))
        object.__setattr__(self, "class_ids", _frozen(self.class_ids, np.int32))
        object.__setattr__(self, "labels", tuple(self.labels))

    def __len__(self) -> int:
        return len(self.scores)

    def __iter__(self) -> Iterator[tuple]:
        for i in range(len(self)):
            yield self.labels[i], float(self.scores[i]), self.boxes[i]

    def _items(self) -> list:
        return [{"class_id": int(c), "label": lab, "score": float(s), "box": [float(v) for v in b]}
                for lab, s, b, c in zip(self.labels, self.scores, self.boxes, self.class_ids)]

    def to_dict(self) -> dict:
        return {"task": "detect", "detections": self._items()}

    def __repr__(self) -> str:
        shown = ", ".join(f"{lab} {s:.2f} [{b[0]:.0f} {b[1]:.0f} {b[2]:.0f} {b[3]:.0f}]"
                          for lab, s, b in zip(self.labels[:5], self.scores[:5], self.boxes[:5]))
        more = f", ... {len(self) - 5} more" if len(self) > 5 else ""
        return f"{type(self).__name__}({len(self)}: {shown}{more})"


@dataclass(frozen=True, repr=False)
class Instances(Detections):
    """Detections plus one mask per object, defined relative to its box.

    ``masks[i]`` is a bool array covering the pixel region of box i: rows
    ``origins[i][1] .. + masks[i].shape[0]`` and columns
    ``origins[i][0] .. + masks[i].shape[1]`` of the frame.
    """

    masks: tuple = ()  # N bool arrays (h_i, w_i)
    origins: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), np.int32))  # (N, 2) x0, y0
    frame_shape: tuple = (0, 0)  # (H, W)

    def __post_init__(self):
        super().__post_init__()
        object.__setattr__(self, "masks", tuple(_frozen(m, bool) for m in self.masks))
        object.__setattr__(self, "origins", _frozen(np.reshape(self.origins, (-1, 2)), np.int32))
        object.__setattr__(self, "frame_shape", tuple(int(v) for v in self.frame_shape))

    def __iter__(self) -> Iterator[tuple]:
        for i in range(len(self)):
            yield self.labels[i], float(self.scores[i]), self.boxes[i], self.masks[i]

    def full_masks(self) -> np.ndarray:
        """N x H x W bool masks at frame size (pasted in C++)."""
        from . import _core

        h, w = self.frame_shape
        return _core.paste_full(list(self.masks), self.origins, h, w)

    def rle(self) -> list:
        """COCO run-length encodings ({"size": [H, W], "counts": [...]}) computed from the box-local masks."""
        from . import _core

        h, w = self.frame_shape
        return [{"size": [h, w], "counts": [int(c) for c in counts]}
                for counts in _core.rle_encode_box_local(list(self.masks), self.origins, h, w)]

    def to_dict(self) -> dict:
        items = self._items()
        for item, r in zip(items, self.rle()):
            item["rle"] = r
        return {"task": "instance", "instances": items}
