"""Drawing results onto frames: the C++ primitives pixel by pixel, then draw()."""

import struct
import zlib

import numpy as np
import pytest

from edgecnn import _core
from edgecnn._png import encode_png, write_png
from edgecnn.draw import draw
from edgecnn.results import Classification, Detections, Instances, Segmentation


def blend_reference(pixels, color, alpha):
    """The documented fixed-point blend: (p * (256 - a) + c * a + 128) >> 8, a = round(256 alpha)."""
    a = int(round(alpha * 256))
    return ((pixels.astype(np.int32) * (256 - a) + np.asarray(color, np.int32) * a + 128) >> 8).astype(np.uint8)


def changed(before, after):
    return np.any(before != after, axis=2)


def rect_mask(shape, x0, y0, x1, y1):
    m = np.zeros(shape[:2], bool)
    m[max(y0, 0):max(y1, 0), max(x0, 0):max(x1, 0)] = True
    return m


def palette_bgr(class_id):
    return tuple(int(v) for v in _core.palette(np.array([class_id]))[0, ::-1])


# --- palette ---------------------------------------------------------------

def test_palette_is_deterministic_and_distinct():
    ids = np.arange(200)
    a, b = _core.palette(ids), _core.palette(ids)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (200, 3) and a.dtype == np.uint8
    assert len({tuple(c) for c in a[:20]}) == 20
    assert len({tuple(c) for c in a}) > 150
    with pytest.raises(ValueError, match=">= 0"):
        _core.palette(np.array([-1]))


# --- boxes -----------------------------------------------------------------

def test_box_outline_is_the_class_color_and_nothing_else_changes(rng):
    img = rng.integers(0, 256, (50, 60, 3), dtype=np.uint8)
    before = img.copy()
    color = (10, 200, 30)
    _core.draw_boxes(img, np.array([[10.2, 12.0, 29.5, 40.0]], np.float32), np.array([color], np.uint8), 2)
    # Pixel rectangle [floor(x1), ceil(x2)) x [floor(y1), ceil(y2)) = [10, 30) x [12, 40), 2-pixel bands inside.
    outline = rect_mask(img.shape, 10, 12, 30, 40) & ~rect_mask(img.shape, 12, 14, 28, 38)
    np.testing.assert_array_equal(changed(before, img) | outline, outline)
    assert np.all(img[outline] == color)
    np.testing.assert_array_equal(img[~outline], before[~outline])


def test_boxes_outside_the_image_change_nothing_and_partly_outside_are_clipped():
    img = np.zeros((40, 50, 3), np.uint8)
    outside = np.array([[-30, -30, -5, -5], [60, 10, 90, 30], [10, 45, 20, 1e8], [-1e8, -1e8, -1e7, 5]], np.float32)
    colors = np.full((4, 3), 255, np.uint8)
    _core.draw_boxes(img, outside, colors, 3)
    _core.draw_box_labels(img, outside, ["a", "b", "c", "d"], colors, 2)
    assert not img.any()
    partly = np.array([[-10, -10, 20, 1e6]], np.float32)
    _core.draw_boxes(img, partly, colors[:1], 1)
    expected = rect_mask(img.shape, 19, 0, 20, 40)  # only the right edge is inside
    np.testing.assert_array_equal(changed(np.zeros_like(img), img), expected)


def test_box_thicker_than_the_box_fills_it():
    img = np.zeros((20, 20, 3), np.uint8)
    _core.draw_boxes(img, np.array([[5, 5, 8, 9]], np.float32), np.array([[1, 2, 3]], np.uint8), 50)
    np.testing.assert_array_equal(changed(np.zeros_like(img), img), rect_mask(img.shape, 5, 5, 8, 9))


@pytest.mark.parametrize("bad", [np.nan, np.inf, 2.0 ** 31])
def test_boxes_with_bad_coordinates_are_rejected(bad):
    img = np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(ValueError, match="draw_boxes"):
        _core.draw_boxes(img, np.array([[0, 0, bad, 5]], np.float32), np.zeros((1, 3), np.uint8), 1)
    assert not img.any()


def test_bindings_refuse_images_they_cannot_draw_on_in_place():
    boxes, colors = np.zeros((0, 4), np.float32), np.zeros((0, 3), np.uint8)
    with pytest.raises(ValueError, match="C-contiguous"):
        _core.draw_boxes(np.zeros((10, 10, 3), np.uint8)[:, ::2], boxes, colors, 1)
    with pytest.raises(ValueError, match=r"\(H, W, 3\) uint8"):
        _core.draw_boxes(np.zeros((10, 10, 3), np.float32), boxes, colors, 1)
    with pytest.raises(ValueError, match="colors must be"):
        _core.draw_boxes(np.zeros((10, 10, 3), np.uint8), np.zeros((2, 4), np.float32), colors, 1)


# --- box labels ------------------------------------------------------------

def test_label_sits_above_the_box_or_inside_it_at_the_top_edge():
    scale = 2
    tw, th = _core.text_size("cat 0.50", scale)
    assert (tw, th) == ((6 * 8 + 1) * scale, 10 * scale)
    colors = np.array([[0, 0, 255]], np.uint8)
    img = np.zeros((120, 200, 3), np.uint8)
    _core.draw_box_labels(img, np.array([[30, 50, 150, 100]], np.float32), ["cat 0.50"], colors, scale)
    tag = rect_mask(img.shape, 30, 50 - th, 30 + tw, 50)
    np.testing.assert_array_equal(changed(np.zeros_like(img), img), tag)
    # A dark fill gets white glyphs.
    assert {tuple(p) for p in img[tag]} == {(0, 0, 255), (255, 255, 255)}

    img[:] = 0
    _core.draw_box_labels(img, np.array([[30, 5, 150, 100]], np.float32), ["cat 0.50"], colors, scale)
    np.testing.assert_array_equal(changed(np.zeros_like(img), img), rect_mask(img.shape, 30, 5, 30 + tw, 5 + th))

    img[:] = 0  # at the right edge the tag shifts left to stay in the image
    _core.draw_box_labels(img, np.array([[190, 60, 199, 100]], np.float32), ["cat 0.50"], colors, scale)
    np.testing.assert_array_equal(changed(np.zeros_like(img), img), rect_mask(img.shape, 200 - tw, 60 - th, 200, 60))


def test_bright_label_fill_gets_black_glyphs():
    img = np.full((40, 80, 3), 100, np.uint8)
    _core.draw_box_labels(img, np.array([[0, 30, 60, 39]], np.float32), ["x"], np.array([[0, 255, 255]], np.uint8), 1)
    assert {tuple(p) for p in img[changed(np.full_like(img, 100), img)]} == {(0, 255, 255), (0, 0, 0)}


# --- text ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["Hello, world 0.87", "gjpqy_", "two\nlines!", "caf\u00e9"])
def test_text_changes_pixels_only_inside_its_box(text):
    scale, x, y = 3, 17, 9
    img = np.zeros((120, 400, 3), np.uint8)
    _core.draw_text(img, text, x, y, scale, (255, 128, 1))
    w, h = _core.text_size(text, scale)
    inside = rect_mask(img.shape, x, y, x + w, y + h)
    drawn = changed(np.zeros_like(img), img)
    assert drawn.sum() > 20 * scale * scale
    assert not (drawn & ~inside).any()
    assert np.all(img[drawn] == (255, 128, 1))
    # The 1-pixel (scale-pixel) padding on each side stays clear.
    assert not drawn[y:y + h, x:x + scale].any() and not drawn[y:y + scale, x:x + w].any()


def test_text_background_fills_each_line_box():
    img = np.zeros((60, 200, 3), np.uint8)
    _core.draw_text(img, "abc\nz", 5, 6, 2, (255, 255, 255), (0, 0, 200))
    first = rect_mask(img.shape, 5, 6, 5 + (6 * 3 + 1) * 2, 6 + 20)
    second = rect_mask(img.shape, 5, 26, 5 + (6 * 1 + 1) * 2, 26 + 20)
    np.testing.assert_array_equal(changed(np.zeros_like(img), img), first | second)


def test_text_is_clipped_at_the_image_edges():
    img = np.zeros((12, 30, 3), np.uint8)
    _core.draw_text(img, "WWWWWWWWWW", -7, -4, 2, (9, 9, 9), (1, 1, 1))
    assert img.any()
    _core.draw_text(img, "far away", 10 ** 6, -10 ** 6, 1, (9, 9, 9))
    with pytest.raises(ValueError, match="scale"):
        _core.draw_text(img, "x", 0, 0, 0, (9, 9, 9))
    with pytest.raises(ValueError, match="2\\^30"):
        _core.draw_text(img, "x", 2 ** 40, 0, 1, (9, 9, 9))


def test_distinct_characters_draw_distinct_glyphs():
    glyphs = set()
    for code in range(33, 127):
        img = np.zeros((10, 7, 3), np.uint8)
        _core.draw_text(img, chr(code), 0, 0, 1, (255, 255, 255))
        assert img.any(), chr(code)
        glyphs.add(img[..., 0].tobytes())
    assert len(glyphs) == 126 - 33 + 1


# --- masks -----------------------------------------------------------------

def test_mask_blend_changes_exactly_the_mask_pixels(rng):
    img = rng.integers(0, 256, (40, 50, 3), dtype=np.uint8)
    before = img.copy()
    masks = [rng.random((12, 15)) < 0.5, rng.random((20, 10)) < 0.5, np.ones((5, 5), bool)]
    origins = np.array([[3, 4], [45, 30], [-100, -100]], np.int32)  # the second partly, the third wholly outside
    colors = np.array([[250, 0, 0], [0, 250, 120], [9, 9, 9]], np.uint8)
    alpha = 0.45
    _core.blend_box_masks(img, masks, origins, colors, alpha)
    expected = before.copy()
    for m, (x0, y0), c in zip(masks, origins, colors):
        full = np.zeros(img.shape[:2], bool)
        ys, xs = np.nonzero(m)
        keep = (ys + y0 >= 0) & (ys + y0 < 40) & (xs + x0 >= 0) & (xs + x0 < 50)
        full[ys[keep] + y0, xs[keep] + x0] = True
        expected[full] = blend_reference(expected[full], c, alpha)
    np.testing.assert_array_equal(img, expected)
    # The fixed-point blend is within 1 of the exact one.
    inside = np.zeros(img.shape[:2], bool)
    inside[4:16, 3:18] = masks[0]
    exact = before[inside] * (1 - alpha) + colors[0] * alpha
    assert np.abs(img[inside].astype(float) - exact).max() <= 1.0


def test_mask_blend_alpha_limits(rng):
    img = rng.integers(0, 256, (8, 8, 3), dtype=np.uint8)
    before = img.copy()
    mask = [np.ones((8, 8), bool)]
    _core.blend_box_masks(img, mask, np.zeros((1, 2), np.int32), np.array([[1, 2, 3]], np.uint8), 0.0)
    np.testing.assert_array_equal(img, before)
    _core.blend_box_masks(img, mask, np.zeros((1, 2), np.int32), np.array([[1, 2, 3]], np.uint8), 1.0)
    assert np.all(img == (1, 2, 3))
    with pytest.raises(ValueError, match="alpha"):
        _core.blend_box_masks(img, mask, np.zeros((1, 2), np.int32), np.array([[1, 2, 3]], np.uint8), 1.5)


# --- class maps ------------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.uint8, np.int32])
@pytest.mark.parametrize("skip", [-1, 0])
def test_class_map_overlay_matches_numpy_reference(rng, dtype, skip):
    img = rng.integers(0, 256, (30, 41, 3), dtype=np.uint8)
    class_map = rng.integers(0, 5, (30, 41)).astype(dtype)
    colors = _core.palette(np.arange(5))
    expected = img.copy()
    for k in range(5):
        sel = (class_map == k) & (k != skip)
        expected[sel] = blend_reference(img[sel], colors[k], 0.3)
    _core.blend_class_map(img, class_map, colors, 0.3, skip)
    np.testing.assert_array_equal(img, expected)


def test_class_map_with_an_id_without_color_is_rejected_before_drawing():
    img = np.zeros((4, 4, 3), np.uint8)
    class_map = np.zeros((4, 4), np.int32)
    class_map[3, 3] = 7
    with pytest.raises(ValueError, match="class id 7"):
        _core.blend_class_map(img, class_map, _core.palette(np.arange(3)), 0.5, -1)
    assert not img.any()
    class_map[3, 3] = -1
    with pytest.raises(ValueError, match="class id -1"):
        _core.blend_class_map(img, class_map, _core.palette(np.arange(3)), 0.5, -1)
    with pytest.raises(ValueError, match="uint8 or int32"):
        _core.blend_class_map(img, class_map.astype(np.int64), _core.palette(np.arange(8)), 0.5, -1)


# --- draw() ----------------------------------------------------------------

def frame_of(rng, h=120, w=160):
    return rng.integers(0, 256, (h, w, 3), dtype=np.uint8)


def test_draw_copies_and_never_modifies_the_frame(rng):
    base = frame_of(rng, 120, 320)
    frame = base[:, ::2]  # non-contiguous view
    snapshot = frame.copy()
    det = Detections(boxes=[[10, 20, 60, 80]], scores=[0.9], class_ids=[2], labels=["dog"])
    out = draw(frame, det)
    np.testing.assert_array_equal(frame, snapshot)
    assert out.shape == frame.shape and out.dtype == np.uint8 and out.flags.c_contiguous
    assert changed(snapshot, out).any()


def test_draw_detections_outline_label_and_channel_order(rng):
    frame = np.zeros((100, 150, 3), np.uint8)
    det = Detections(boxes=[[20, 40, 90, 95]], scores=[0.871], class_ids=[3], labels=["car"])
    out = draw(frame, det, thickness=2, font_scale=1)
    assert tuple(out[60, 20]) == palette_bgr(3) and tuple(out[60, 21]) == palette_bgr(3)
    assert not out[60, 22].any() and not out[60, 50].any()  # inside the box, past the line
    w, h = _core.text_size("car 0.87", 1)
    np.testing.assert_array_equal(changed(frame, out) & ~rect_mask(frame.shape, 20, 40, 90, 95),
                                  rect_mask(frame.shape, 20, 40 - h, 20 + w, 40))
    rgb = draw(frame, det, thickness=2, font_scale=1, color="rgb")
    np.testing.assert_array_equal(rgb, out[:, :, ::-1])


def test_draw_instances_blends_masks_under_the_boxes(rng):
    frame = frame_of(rng, 80, 100)
    mask = np.zeros((30, 40), bool)
    mask[5:25, 8:30] = True
    inst = Instances(boxes=[[10, 20, 50, 50]], scores=[0.5], class_ids=[1], labels=["person"], masks=[mask],
                     origins=[[10, 20]], frame_shape=(80, 100))
    out = draw(frame, inst, alpha=0.6, thickness=1)
    sel = np.zeros((80, 100), bool)
    sel[25:45, 18:40] = True
    np.testing.assert_array_equal(out[sel], blend_reference(frame[sel], palette_bgr(1), 0.6))
    assert np.all(out[30, 10] == palette_bgr(1))  # the box's left edge, drawn over the fill
    with pytest.raises(ValueError, match="frame"):
        draw(frame[:70], inst)


def test_draw_segmentation_leaves_background_clear(rng):
    frame = frame_of(rng, 40, 60)
    class_map = np.zeros((40, 60), np.uint8)
    class_map[10:30, 20:50] = 2
    out = draw(frame, Segmentation(mask=class_map, labels=("background", "sky", "road")), alpha=0.5)
    np.testing.assert_array_equal(out[class_map == 0], frame[class_map == 0])
    np.testing.assert_array_equal(out[class_map == 2], blend_reference(frame[class_map == 2], palette_bgr(2), 0.5))
    # Without a background class, class 0 is colored too; wide ids are accepted.
    out = draw(frame, Segmentation(mask=class_map.astype(np.int64), labels=("a", "b", "c")), alpha=0.5)
    np.testing.assert_array_equal(out[class_map == 0], blend_reference(frame[class_map == 0], palette_bgr(0), 0.5))
    with pytest.raises(ValueError, match="mask is"):
        draw(frame, Segmentation(mask=class_map[:20], labels=()))
    with pytest.raises(ValueError, match="class ids"):
        draw(frame, Segmentation(mask=np.full((40, 60), -1, np.int32), labels=()))


def test_draw_classification_writes_top5_lines_in_the_top_left(rng):
    frame = frame_of(rng, 200, 300)
    labels = [f"class{i}" for i in range(7)]
    cls = Classification(class_ids=range(7), scores=np.linspace(0.9, 0.1, 7), labels=labels)
    out = draw(frame, cls, font_scale=2)
    w, h = _core.text_size("\n".join(f"class{i} 0.00" for i in range(5)), 2)
    assert h == 5 * 20
    drawn = changed(frame, out)
    assert drawn.any() and not (drawn & ~rect_mask(frame.shape, 0, 0, w, h)).any()
    assert np.all(out[0, 0] == 0)  # the lines' black background


def test_draw_multi_task_dict_layers_segmentation_then_boxes_then_text(rng):
    frame = np.full((120, 160, 3), 100, np.uint8)
    seg = Segmentation(mask=np.ones((120, 160), np.uint8), labels=("background", "grass"))
    det = Detections(boxes=[[0, 0, 150, 110]], scores=[0.6], class_ids=[4], labels=["cow"])
    cls = Classification(class_ids=[0], scores=[0.99], labels=["farm"])
    out = draw(frame, {"classify": cls, "detect": det, "segment": seg}, thickness=3, font_scale=1)
    assert np.all(out[60, 1] == palette_bgr(4))  # box edge over the overlay
    assert np.all(out[60, 80] == blend_reference(frame[60, 80][None], palette_bgr(1), 0.45)[0])
    w, h = _core.text_size("farm 0.99", 1)
    alone = draw(frame, cls, font_scale=1)
    np.testing.assert_array_equal(out[:h, :w], alone[:h, :w])  # the text is on top of the box's label


def test_draw_default_sizes_grow_with_the_frame():
    det = Detections(boxes=[[100, 300, 600, 700]], scores=[0.5], class_ids=[0], labels=["x"])
    out = draw(np.zeros((1000, 1000, 3), np.uint8), det)
    assert np.all(out[500, 100:104] == palette_bgr(0)) and not out[500, 104].any()  # 1000 / 250 = 4
    w, h = _core.text_size("x 0.50", 3)  # 1000 / 360 -> 3
    assert changed(np.zeros((1000, 1000, 3), np.uint8), out)[300 - h:300].sum(axis=0).nonzero()[0].max() == 100 + w - 1


def test_draw_empty_results_return_an_unchanged_copy(rng):
    frame = frame_of(rng)
    empty = [Detections(boxes=np.zeros((0, 4)), scores=[], class_ids=[], labels=[]),
             Instances(boxes=np.zeros((0, 4)), scores=[], class_ids=[], labels=[]),
             Classification(class_ids=[], scores=[], labels=[]), {}]
    for r in empty:
        np.testing.assert_array_equal(draw(frame, r), frame)


@pytest.mark.parametrize("frame, error", [
    ([[[0, 0, 0]]], TypeError),
    (np.zeros((4, 4, 3), np.float32), TypeError),
    (np.zeros((4, 4), np.uint8), ValueError),
    (np.zeros((4, 4, 4), np.uint8), ValueError),
])
def test_draw_rejects_bad_frames(frame, error):
    with pytest.raises(error, match="frame"):
        draw(frame, Classification(class_ids=[], scores=[], labels=[]))


def test_draw_rejects_bad_options_and_results():
    frame = np.zeros((10, 10, 3), np.uint8)
    cls = Classification(class_ids=[], scores=[], labels=[])
    with pytest.raises(ValueError, match="alpha"):
        draw(frame, cls, alpha=2)
    with pytest.raises(ValueError, match="thickness"):
        draw(frame, cls, thickness=0)
    with pytest.raises(TypeError):
        draw(frame, cls, font_scale=1.5)
    with pytest.raises(ValueError, match="color"):
        draw(frame, cls, color="hsv")
    with pytest.raises(TypeError, match="cannot draw"):
        draw(frame, {"x": "not a result"})


# --- PNG -------------------------------------------------------------------

def decode_png(data):
    """Decoder of what encode_png writes (8-bit, filter 0), checking every chunk's CRC."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, {}
    while pos < len(data):
        (n,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
        assert struct.unpack(">I", data[pos + 8 + n:pos + 12 + n])[0] == zlib.crc32(kind + body)
        chunks[kind] = chunks.get(kind, b"") + body
        pos += 12 + n
    w, h, depth, color_type = struct.unpack(">IIBB", chunks[b"IHDR"][:10])
    channels = {0: 1, 2: 3, 6: 4}[color_type]
    rows = np.frombuffer(zlib.decompress(chunks[b"IDAT"]), np.uint8).reshape(h, 1 + w * channels)
    assert depth == 8 and not rows[:, 0].any() and b"IEND" in chunks
    return rows[:, 1:].reshape(h, w, channels)


@pytest.mark.parametrize("shape", [(7, 5, 3), (3, 9), (4, 4, 4)])
def test_png_round_trips(rng, shape, tmp_path):
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    decoded = decode_png(encode_png(image, color="rgb"))
    np.testing.assert_array_equal(decoded, image.reshape(decoded.shape))
    write_png(tmp_path / "x.png", image[:, ::-1])  # BGR by default
    from_file = decode_png((tmp_path / "x.png").read_bytes())
    if image.ndim == 3:
        swapped = image[:, ::-1][..., [2, 1, 0, 3][:shape[2]]]
        np.testing.assert_array_equal(from_file, swapped)
    with pytest.raises(TypeError):
        encode_png(image.astype(np.float32))
    with pytest.raises(ValueError):
        encode_png(np.zeros((0, 3, 3), np.uint8))
