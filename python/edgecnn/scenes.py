"""Procedural scenes of simple shapes, with ground truth for all four tasks.

edgecnn trains its embedded default model on these (no data set or model hub
is needed), evaluates it on held-out seeds, and its tests use them as frames
whose right answers are known. numpy only; every pixel operation is
vectorized (the Python loops run over objects, never over pixels).

Conventions
-----------
* ``Scene.image`` is H x W x 3 uint8 in **RGB** order: pass ``color="rgb"`` to
  :func:`edgecnn.run` (numpy frames are taken as BGR otherwise).
* Pixel (x, y) covers [x, x + 1) x [y, y + 1); boxes are ``x1, y1, x2, y2``
  in those coordinates: the visible extent of an object whose visible pixels
  span columns xmin..xmax and rows ymin..ymax is ``(xmin, ymin, xmax + 1,
  ymax + 1)``.
* Classes are indices into :data:`SHAPE_CLASSES` (0 .. K-1, K = 6). The
  semantic ``class_map`` has K + 1 classes: 0 is background and an object of
  class c is c + 1 (:data:`SEGMENT_CLASSES` names them).
* Objects are painted in order, each later one over the earlier ones;
  ``masks`` are the *visible* pixels after occlusion, so they are disjoint
  and ``class_map`` is their union by class.
* ``label``, the scene's class, is the class of the object with the largest
  visible area. Scenes are composed so it is unambiguous: that area is at
  least :data:`LABEL_MARGIN` times the visible area of every object of
  another class.
* No object is hidden too much: a new object that would leave an earlier one
  with less than :data:`MIN_VISIBLE_FRACTION` of its in-frame area visible,
  or that would itself lie mostly outside the frame, is drawn again elsewhere
  or dropped before it is painted, so no painted pixel lacks ground truth.
* Deterministic: the same seed (and size) gives the same scene on every
  platform numpy supports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Tuple

import numpy as np

SHAPE_CLASSES: Tuple[str, ...] = ("circle", "square", "triangle", "star", "ring", "cross")
SEGMENT_CLASSES: Tuple[str, ...] = ("background",) + SHAPE_CLASSES
NUM_CLASSES = len(SHAPE_CLASSES)

MIN_SIDE, MAX_SIDE = 96, 320  # random frame sides (pixels) when no size is given
MAX_ASPECT = 2.0  # random frames are at most twice as wide as tall or vice versa
MAX_OBJECTS = 8
MIN_VISIBLE_FRACTION = 0.6
MIN_IN_FRAME_FRACTION = 0.7
MIN_VISIBLE_PIXELS = 40
LABEL_MARGIN = 1.5
TEXTURES = ("solid", "stripes", "noise")
BACKGROUNDS = ("noise", "gradient", "blotches", "waves")


@dataclass(frozen=True, repr=False)
class Scene:
    """A generated frame and its ground truth (see the module docstring)."""

    image: np.ndarray  # (H, W, 3) uint8, RGB
    label: int  # class of the largest visible object
    class_map: np.ndarray  # (H, W) uint8: 0 background, c + 1 for class c
    boxes: np.ndarray  # (N, 4) float32 x1 y1 x2 y2, visible extent
    classes: np.ndarray  # (N,) int64
    masks: np.ndarray  # (N, H, W) bool, visible pixels
    seed: int = 0

    @property
    def height(self) -> int:
        return int(self.image.shape[0])

    @property
    def width(self) -> int:
        return int(self.image.shape[1])

    @property
    def num_objects(self) -> int:
        return int(len(self.classes))

    @property
    def label_name(self) -> str:
        return SHAPE_CLASSES[self.label]

    def instance_map(self) -> np.ndarray:
        """(H, W) int32: 0 background, i + 1 where object i is visible."""
        ids = np.zeros(self.image.shape[:2], np.int32)
        for i, m in enumerate(self.masks):
            ids[m] = i + 1
        return ids

    def __repr__(self) -> str:
        names = ", ".join(SHAPE_CLASSES[c] for c in self.classes)
        return f"Scene(seed={self.seed}, {self.height}x{self.width}, label={self.label_name}, objects=[{names}])"


# ---------------------------------------------------------------- shapes

def _polygon_inside(u: np.ndarray, v: np.ndarray, verts: np.ndarray) -> np.ndarray:
    """Even-odd point-in-polygon test of points (u, v) against verts (M, 2); loops over edges only."""
    inside = np.zeros(u.shape, bool)
    m = len(verts)
    for k in range(m):
        x0, y0 = verts[k]
        x1, y1 = verts[(k + 1) % m]
        crosses = (y0 > v) != (y1 > v)
        if not np.any(crosses):
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            x_at = x0 + (v - y0) * (x1 - x0) / (y1 - y0)
        inside ^= crosses & (u < x_at)
    return inside


def _regular(n: int, radius: float, phase: float = -np.pi / 2) -> np.ndarray:
    a = phase + 2 * np.pi * np.arange(n) / n
    return np.stack([radius * np.cos(a), radius * np.sin(a)], 1)


def _star_vertices(points: int = 5, outer: float = 1.0, inner: float = 0.42) -> np.ndarray:
    a = -np.pi / 2 + np.pi * np.arange(2 * points) / points
    r = np.where(np.arange(2 * points) % 2 == 0, outer, inner)
    return np.stack([r * np.cos(a), r * np.sin(a)], 1)


def shape_mask(cls: int, u: np.ndarray, v: np.ndarray, r: float, aux: float = 0.0) -> np.ndarray:
    """Inside test of shape class `cls` of size r at object coordinates (u, v) (centre at 0, already rotated).

    aux in [0, 1) varies a shape's proportions a little (ring thickness, cross arm width, star depth).
    """
    name = SHAPE_CLASSES[cls]
    if name == "circle":
        return u * u + v * v <= (0.8 * r) ** 2
    if name == "square":
        h = 0.72 * r
        return (np.abs(u) <= h) & (np.abs(v) <= h)
    if name == "triangle":
        return _polygon_inside(u, v, _regular(3, 1.05 * r))
    if name == "star":
        return _polygon_inside(u, v, _star_vertices(5, 1.0 * r, (0.38 + 0.1 * aux) * r))
    if name == "ring":
        d2 = u * u + v * v
        outer = 0.88 * r
        inner = (0.45 + 0.15 * aux) * outer
        return (d2 <= outer * outer) & (d2 >= inner * inner)
    if name == "cross":
        arm = (0.26 + 0.1 * aux) * r
        length = 0.92 * r
        au, av = np.abs(u), np.abs(v)
        return ((au <= arm) & (av <= length)) | ((av <= arm) & (au <= length))
    raise ValueError(f"unknown shape class {cls}")


# ---------------------------------------------------------------- painting

def _random_color(rng: np.random.Generator) -> np.ndarray:
    return rng.integers(0, 256, 3).astype(np.float32)


def _background(rng: np.random.Generator, h: int, w: int) -> np.ndarray:
    kind = BACKGROUNDS[int(rng.integers(len(BACKGROUNDS)))]
    c0 = _random_color(rng)
    if kind == "noise":
        img = np.broadcast_to(c0, (h, w, 3)).astype(np.float32)
    elif kind == "gradient":
        c1 = _random_color(rng)
        a = rng.uniform(0, 2 * np.pi)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        t = xx * np.cos(a) + yy * np.sin(a)
        t = (t - t.min()) / max(float(t.max() - t.min()), 1.0)
        img = c0 + t[..., None] * (c1 - c0)
    elif kind == "blotches":
        gh, gw = int(rng.integers(2, 6)), int(rng.integers(2, 6))
        grid = c0 + rng.uniform(-70, 70, (gh, gw, 3)).astype(np.float32)
        img = _bilinear_upsample(grid, h, w)
    else:  # waves: a low-contrast sinusoidal pattern
        c1 = c0 + rng.uniform(-50, 50, 3).astype(np.float32)
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        f1, f2 = rng.uniform(0.02, 0.12, 2)
        a1, a2 = rng.uniform(0, 2 * np.pi, 2)
        s = 0.5 + 0.25 * (np.sin(f1 * (xx * np.cos(a1) + yy * np.sin(a1)))
                          + np.sin(f2 * (xx * np.cos(a2) + yy * np.sin(a2))))
        img = c0 + s[..., None] * (c1 - c0)
    sigma = rng.uniform(2, 14)
    img = img + rng.normal(0, sigma, (h, w, 3)).astype(np.float32)
    return img


def _bilinear_upsample(grid: np.ndarray, h: int, w: int) -> np.ndarray:
    gh, gw = grid.shape[:2]
    ys = np.clip((np.arange(h) + 0.5) * gh / h - 0.5, 0, gh - 1)
    xs = np.clip((np.arange(w) + 0.5) * gw / w - 0.5, 0, gw - 1)
    y0 = np.floor(ys).astype(int)
    x0 = np.floor(xs).astype(int)
    y1 = np.minimum(y0 + 1, gh - 1)
    x1 = np.minimum(x0 + 1, gw - 1)
    fy = (ys - y0)[:, None, None]
    fx = (xs - x0)[None, :, None]
    top = grid[y0][:, x0] * (1 - fx) + grid[y0][:, x1] * fx
    bottom = grid[y1][:, x0] * (1 - fx) + grid[y1][:, x1] * fx
    return (top * (1 - fy) + bottom * fy).astype(np.float32)


def _texture(rng: np.random.Generator, color: np.ndarray, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Colors (P, 3) of an object's pixels at object coordinates (u, v) (P,)."""
    kind = TEXTURES[int(rng.integers(len(TEXTURES)))]
    n = u.shape[0]
    if kind == "solid":
        return np.broadcast_to(color, (n, 3)).astype(np.float32)
    if kind == "stripes":
        other = np.clip(color + rng.choice([-1.0, 1.0]) * rng.uniform(45, 90, 3), 0, 255)
        period = rng.uniform(4, 10)
        a = rng.uniform(0, np.pi)
        phase = np.floor((u * np.cos(a) + v * np.sin(a)) / (period / 2)) % 2
        return np.where(phase[:, None] > 0, other, color).astype(np.float32)
    sigma = rng.uniform(12, 30)
    return (color + rng.normal(0, sigma, (n, 3))).astype(np.float32)


def _color_far(rng: np.random.Generator, avoid, min_dist: float = 70.0, tries: int = 30) -> np.ndarray:
    best, best_d = None, -1.0
    for _ in range(tries):
        c = _random_color(rng)
        d = min((float(np.linalg.norm(c - a)) for a in avoid), default=1e9)
        if d >= min_dist:
            return c
        if d > best_d:
            best, best_d = c, d
    return best


# ---------------------------------------------------------------- scenes

def _random_size(rng: np.random.Generator) -> Tuple[int, int]:
    h = int(rng.integers(MIN_SIDE, MAX_SIDE + 1))
    lo = max(MIN_SIDE, int(np.ceil(h / MAX_ASPECT)))
    hi = min(MAX_SIDE, int(np.floor(h * MAX_ASPECT)))
    w = int(rng.integers(lo, hi + 1))
    return h, w


def _compose(rng: np.random.Generator, h: int, w: int):
    """One attempt at a scene: (image float32, instance ids, classes, colors)."""
    img = _background(rng, h, w)
    ids = np.zeros((h, w), np.int16)  # 0 background, i + 1 object i
    n_wanted = int(rng.integers(1, MAX_OBJECTS + 1))
    side = min(h, w)
    # Fewer objects may be bigger.
    r_hi = side * (0.30 if n_wanted <= 2 else 0.24 if n_wanted <= 4 else 0.19)
    r_lo = side * 0.09
    full_area = []  # in-frame area of each painted object before occlusion
    boxes_full = []  # (x0, y0, x1, y1) integer window of each painted object
    classes, colors = [], []
    visible = []  # visible pixels of each painted object
    # Planned classes and sizes. Sizes are drawn as equal areas (so no class
    # tends to be the largest), then one object is made the clear main one.
    plan_cls = rng.integers(NUM_CLASSES, size=n_wanted)
    plan_aux = rng.uniform(0, 1, n_wanted)
    plan_area = rng.uniform(r_lo, max(r_lo, r_hi), n_wanted) ** 2
    if n_wanted > 1:
        main = int(rng.integers(n_wanted))
        cap = (1.25 * r_hi) ** 2
        others = np.arange(n_wanted) != main
        plan_area[others] = np.minimum(plan_area[others], cap / 1.8)
        plan_area[main] = max(plan_area[main], 1.8 * plan_area[others].max())
    for i in range(n_wanted):
        cls, aux = int(plan_cls[i]), float(plan_aux[i])
        r = float(np.sqrt(plan_area[i] * 2.0 / _whole_area(cls, 1.0, aux)))
        theta = float(rng.uniform(0, 2 * np.pi))
        placed = False
        for _attempt in range(12):
            cx = float(rng.uniform(0.05 * w, 0.95 * w))
            cy = float(rng.uniform(0.05 * h, 0.95 * h))
            x0, x1 = max(0, int(np.floor(cx - r)) - 1), min(w, int(np.ceil(cx + r)) + 1)
            y0, y1 = max(0, int(np.floor(cy - r)) - 1), min(h, int(np.ceil(cy + r)) + 1)
            if x1 - x0 < 2 or y1 - y0 < 2:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            px, py = xx + 0.5 - cx, yy + 0.5 - cy
            c, s = np.cos(theta), np.sin(theta)
            u, v = px * c + py * s, -px * s + py * c
            m = shape_mask(cls, u, v, r, aux)
            area = int(m.sum())
            # The shape's whole area (in and out of frame), from the window it would have unclipped.
            whole = _whole_area(cls, r, aux)
            if area < MIN_VISIBLE_PIXELS or area < MIN_IN_FRAME_FRACTION * whole:
                continue
            win = ids[y0:y1, x0:x1]
            covered = np.bincount(win[m].astype(np.int64), minlength=len(classes) + 1)[1:]
            ok = True
            for j in np.nonzero(covered)[0]:
                visible_j = visible[j] - int(covered[j])
                if visible_j < max(MIN_VISIBLE_PIXELS, MIN_VISIBLE_FRACTION * full_area[j]):
                    ok = False
                    break
            if not ok:
                continue
            placed = True
            break
        if not placed:
            continue
        # Colour: far from what lies under the object and from neighbours it touches.
        under = img[y0:y1, x0:x1][m].mean(0)
        touching = [colors[j] for j in range(len(classes))
                    if boxes_full[j][0] < x1 + 2 and x0 < boxes_full[j][2] + 2
                    and boxes_full[j][1] < y1 + 2 and y0 < boxes_full[j][3] + 2]
        color = _color_far(rng, [under] + touching)
        pix = _texture(rng, color, u[m], v[m])
        img[y0:y1, x0:x1][m] = pix
        for j in np.nonzero(covered)[0]:
            visible[j] -= int(covered[j])
        win[m] = len(classes) + 1
        visible.append(area)
        classes.append(cls)
        colors.append(color)
        full_area.append(area)
        boxes_full.append((x0, y0, x1, y1))
    return img, ids, classes


_AREA_CACHE: dict = {}


def _whole_area(cls: int, r: float, aux: float) -> float:
    """Area of a shape of size r (pixels), from its unit-size area sampled on a fine grid."""
    key = (cls, round(aux, 2))
    if key not in _AREA_CACHE:
        g = (np.arange(400) + 0.5) / 200.0 - 1.0
        u, v = np.meshgrid(g, g)
        _AREA_CACHE[key] = float(shape_mask(cls, u, v, 1.0, round(aux, 2)).mean() * 4.0)
    return _AREA_CACHE[key] * r * r


def _finish(rng: np.random.Generator, img: np.ndarray) -> np.ndarray:
    if rng.random() < 0.3:  # a slight blur, separable 3-tap
        img = img.copy()
        img[1:-1] = 0.25 * img[:-2] + 0.5 * img[1:-1] + 0.25 * img[2:]
        img[:, 1:-1] = 0.25 * img[:, :-2] + 0.5 * img[:, 1:-1] + 0.25 * img[:, 2:]
    sigma = rng.uniform(0, 6)
    if sigma > 0.5:
        img = img + rng.normal(0, sigma, img.shape).astype(np.float32)
    return np.clip(np.rint(img), 0, 255).astype(np.uint8)


def generate_scene(seed: int, height: Optional[int] = None, width: Optional[int] = None) -> Scene:
    """The scene of `seed`: a random size in [96, 320] (aspect <= 2) unless height/width are given.

    1-8 objects of the classes in SHAPE_CLASSES with random colours, sizes,
    rotations and textures on a noisy, gradient or textured background.
    """
    seed = int(seed)
    if seed < 0:
        raise ValueError(f"seed must be >= 0, got {seed}")
    rng = np.random.default_rng(seed)
    h, w = _random_size(rng)
    if height is not None:
        h = int(height)
    if width is not None:
        w = int(width)
    if h < 32 or w < 32:
        raise ValueError(f"scenes are at least 32x32 pixels, got {h}x{w}")
    for attempt in range(200):
        img, ids, classes = _compose(rng, h, w)
        if not classes:
            if attempt == 199:
                raise RuntimeError(f"could not place any object in a {h}x{w} scene")
            continue
        counts = np.bincount(ids.ravel().astype(np.int64), minlength=len(classes) + 1)[1:]
        classes_arr = np.asarray(classes, np.int64)
        best = int(np.argmax(counts))
        others = counts[classes_arr != classes_arr[best]]
        if others.size == 0 or counts[best] >= LABEL_MARGIN * others.max() or attempt == 199:
            break
    image = _finish(rng, img)
    n = len(classes)
    masks = ids[None, :, :] == np.arange(1, n + 1, dtype=np.int16)[:, None, None]
    lut = np.concatenate([[0], classes_arr + 1]).astype(np.uint8)
    class_map = lut[ids]
    boxes = np.zeros((n, 4), np.float32)
    for i in range(n):
        rows = np.nonzero(masks[i].any(1))[0]
        cols = np.nonzero(masks[i].any(0))[0]
        boxes[i] = (cols[0], rows[0], cols[-1] + 1, rows[-1] + 1)
    label = int(classes_arr[best])
    for a in (image, class_map, boxes, classes_arr, masks):
        a.flags.writeable = False
    return Scene(image=image, label=label, class_map=class_map, boxes=boxes, classes=classes_arr, masks=masks,
                 seed=seed)


def generate_scenes(seeds, height: Optional[int] = None, width: Optional[int] = None) -> list:
    """[generate_scene(s, height, width) for s in seeds]."""
    return [generate_scene(s, height, width) for s in seeds]
