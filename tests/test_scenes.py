"""edgecnn.scenes: determinism, sizes and the consistency of the four ground truths."""

import numpy as np
import pytest

from edgecnn.scenes import (LABEL_MARGIN, MAX_ASPECT, MAX_OBJECTS, MAX_SIDE, MIN_SIDE, MIN_VISIBLE_PIXELS,
                            NUM_CLASSES, SEGMENT_CLASSES, SHAPE_CLASSES, Scene, generate_scene, shape_mask)

SEEDS = list(range(40))


@pytest.fixture(scope="module")
def scenes():
    return [generate_scene(s) for s in SEEDS]


def test_classes():
    assert len(SHAPE_CLASSES) >= 6
    assert {"circle", "square", "triangle", "star", "ring", "cross"} <= set(SHAPE_CLASSES)
    assert SEGMENT_CLASSES == ("background",) + SHAPE_CLASSES
    assert NUM_CLASSES == len(SHAPE_CLASSES)


def test_deterministic_per_seed():
    a, b = generate_scene(123), generate_scene(123)
    for name in ("image", "class_map", "boxes", "classes", "masks"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.label == b.label
    c = generate_scene(124)
    assert a.image.shape != c.image.shape or not np.array_equal(a.image, c.image)


def test_types_and_shapes(scenes):
    for sc in scenes:
        assert isinstance(sc, Scene)
        h, w = sc.height, sc.width
        assert sc.image.shape == (h, w, 3) and sc.image.dtype == np.uint8
        assert sc.class_map.shape == (h, w) and sc.class_map.dtype == np.uint8
        n = sc.num_objects
        assert 1 <= n <= MAX_OBJECTS
        assert sc.boxes.shape == (n, 4) and sc.boxes.dtype == np.float32
        assert sc.classes.shape == (n,) and np.issubdtype(sc.classes.dtype, np.integer)
        assert sc.masks.shape == (n, h, w) and sc.masks.dtype == bool
        assert 0 <= sc.label < NUM_CLASSES
        assert ((sc.classes >= 0) & (sc.classes < NUM_CLASSES)).all()
        assert not sc.image.flags.writeable


def test_random_sizes(scenes):
    sizes = np.array([[sc.height, sc.width] for sc in scenes])
    assert sizes.min() >= MIN_SIDE and sizes.max() <= MAX_SIDE
    assert (np.maximum(sizes[:, 0], sizes[:, 1]) <= MAX_ASPECT * np.minimum(sizes[:, 0], sizes[:, 1]) + 1).all()
    assert (sizes[:, 0] != sizes[:, 1]).any()  # non-square frames occur
    assert len(set(map(tuple, sizes))) > len(scenes) // 2


def test_requested_size():
    sc = generate_scene(7, height=120, width=300)
    assert sc.image.shape == (120, 300, 3) and sc.masks.shape[1:] == (120, 300)
    with pytest.raises(ValueError):
        generate_scene(7, height=10, width=300)
    with pytest.raises(ValueError):
        generate_scene(-1)


def test_masks_disjoint_and_class_map_is_their_union(scenes):
    for sc in scenes:
        assert (sc.masks.sum(0) <= 1).all()
        expected = np.zeros(sc.class_map.shape, np.uint8)
        for m, c in zip(sc.masks, sc.classes):
            expected[m] = c + 1
        np.testing.assert_array_equal(sc.class_map, expected)
        assert ((sc.class_map > 0) == sc.masks.any(0)).all()


def test_boxes_are_mask_extents(scenes):
    for sc in scenes:
        for box, m in zip(sc.boxes, sc.masks):
            assert m.sum() >= MIN_VISIBLE_PIXELS
            ys, xs = np.nonzero(m)
            np.testing.assert_array_equal(box, [xs.min(), ys.min(), xs.max() + 1, ys.max() + 1])


def test_label_is_largest_object_with_margin(scenes):
    for sc in scenes:
        areas = sc.masks.sum((1, 2))
        assert sc.label == sc.classes[np.argmax(areas)]
        other = areas[sc.classes != sc.label]
        if other.size:
            assert areas.max() >= LABEL_MARGIN * other.max()


def test_variety(scenes):
    all_classes = np.concatenate([sc.classes for sc in scenes])
    assert set(all_classes.tolist()) == set(range(NUM_CLASSES))
    assert {sc.label for sc in scenes} == set(range(NUM_CLASSES))
    counts = [sc.num_objects for sc in scenes]
    assert min(counts) == 1 and max(counts) >= 6
    # overlap happens: some object's visible area is less than its box would suggest for its shape
    assert any(sc.num_objects > 1 for sc in scenes)
    # backgrounds are not flat
    assert all(sc.image[sc.class_map == 0].std() > 1.0 for sc in scenes)


def test_instance_map_round_trip():
    sc = generate_scene(3)
    ids = sc.instance_map()
    for i, m in enumerate(sc.masks):
        np.testing.assert_array_equal(ids == i + 1, m)


def test_shape_masks_differ():
    g = (np.arange(64) + 0.5) / 32 - 1
    u, v = np.meshgrid(g, g)
    masks = [shape_mask(c, u, v, 1.0, 0.5) for c in range(NUM_CLASSES)]
    for i in range(NUM_CLASSES):
        assert masks[i].sum() > 200
        for j in range(i + 1, NUM_CLASSES):
            assert (masks[i] != masks[j]).sum() > 100
    # the ring has a hole, the circle has none
    assert not masks[SHAPE_CLASSES.index("ring")][32, 32] and masks[SHAPE_CLASSES.index("circle")][32, 32]
