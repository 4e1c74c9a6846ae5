"""edgecnn.run against a reference pipeline: the numpy reference pre-processing,
onnxruntime on the source ONNX model, and the numpy reference post-processing.
Same kept boxes (to 1e-3 px), same classes, mask IoU >= 0.99."""

from pathlib import Path

import numpy as np
import onnx
import pytest

import edgecnn
from parity import run_onnxruntime
from reference import box_decode, dense_post
from reference import preprocess as ref_pre

FIXTURES = Path(__file__).parent / "fixtures" / "models"
FRAME_SIZES = [(240, 320), (333, 197), (160, 160)]


def scene(h, w, seed):
    """A frame with smooth gradients and a few solid shapes (not white noise)."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w]
    img = np.stack([xx * 255 // w, yy * 255 // h, ((xx // 7 + yy // 5) * 37) % 256], -1).astype(np.uint8)
    for _ in range(4):
        y0, x0 = rng.integers(0, h - 10), rng.integers(0, w - 10)
        img[y0:y0 + rng.integers(8, h // 2), x0:x0 + rng.integers(8, w // 2)] = rng.integers(0, 256, 3)
    return img


@pytest.fixture(scope="module")
def fixture_model(tmp_path_factory):
    cache = {}

    def get(name, **options):
        if name not in cache:
            proto = onnx.load(str(FIXTURES / f"{name}.onnx"))
            out = tmp_path_factory.mktemp(name) / f"{name}.ecnn"
            edgecnn.convert(proto, str(out), **options)
            cache[name] = (edgecnn.load(out), proto)
        return cache[name]

    return get


def reference_forward(model, proto, frame, frame_color="bgr"):
    from edgecnn.api import _runner

    plan = _runner(model, model.task).plan
    tensor, transform = ref_pre.preprocess(frame, plan.input_h, plan.input_w, plan.letterbox, plan.pad_value,
                                           frame_color != plan.network_color, plan.mean, plan.std)
    outputs = run_onnxruntime(proto, {proto.graph.input[0].name: tensor})
    return plan, outputs, transform


def assert_same_detections(got, boxes, scores, classes, case, box_tolerance=1e-2):
    assert len(got) == len(scores), f"{case}: {len(got)} detections, reference {len(scores)}"
    np.testing.assert_array_equal(got.class_ids, classes, err_msg=case)
    np.testing.assert_allclose(got.boxes, boxes, atol=box_tolerance, rtol=0, err_msg=case)
    np.testing.assert_allclose(got.scores, scores, atol=1e-4, rtol=0, err_msg=case)


# Two comparisons. With the network outputs of onnxruntime, box coordinates
# carry the networks' float32 differences (outputs agree to 1e-4 relative, i.e.
# up to ~1e-2 px on a 192 px input), so boxes are compared to 1e-2 px. With our
# own network outputs fed to the reference post-processing, only the
# post-processing is compared, to 1e-3 px.
# yolo11n's random weights saturate many scores at exactly 1.0 in float32, so
# which of two tied boxes survives NMS depends on 1e-7 differences between
# onnxruntime's and our arithmetic; it is compared on our own outputs only.
@pytest.mark.parametrize("hw", FRAME_SIZES)
@pytest.mark.parametrize("name,raw_source", [("yolov8n", "onnxruntime"), ("yolov8n", "edgecnn"),
                                             ("yolo11n", "edgecnn")])
def test_detect_matches_reference(fixture_model, name, raw_source, hw):
    model, proto = fixture_model(name)
    frame = scene(*hw, seed=hw[0])
    got = edgecnn.run("detect", frame, model=model, conf=0.3)
    plan, outputs, t = reference_forward(model, proto, frame)
    if raw_source == "edgecnn":
        from edgecnn.api import _runner

        tensor, _ = _runner(model, "detect").preprocess(frame, "bgr")
        outputs = model.forward(tensor)
    boxes, scores, classes, _ = box_decode.detect_postprocess(
        outputs, "yolov8", (hw[1], hw[0]), scale=t[:2], pad=t[2:], num_classes=plan.num_classes,
        score_threshold=0.3, iou_threshold=0.45, max_det=300)
    assert len(scores) > 0, f"{name} {hw}: the reference finds nothing; the comparison would be empty"
    assert_same_detections(got, boxes, scores, classes, f"{name} frame {hw} ({raw_source} outputs)",
                           box_tolerance=1e-2 if raw_source == "onnxruntime" else 1e-3)


@pytest.mark.parametrize("hw", FRAME_SIZES)
def test_instance_matches_reference(fixture_model, hw):
    model, proto = fixture_model("yolov8n_seg")
    frame = scene(*hw, seed=hw[1])
    got = edgecnn.run("instance", frame, model=model, conf=0.3)
    plan, outputs, t = reference_forward(model, proto, frame)
    boxes, scores, classes, anchors = box_decode.detect_postprocess(
        outputs[:1], "yolov8", (hw[1], hw[0]), scale=t[:2], pad=t[2:], num_classes=plan.num_classes,
        score_threshold=0.3, iou_threshold=0.45, max_det=300)
    assert len(scores) > 0, f"frame {hw}: the reference finds nothing"
    assert_same_detections(got, boxes, scores, classes, f"yolov8n_seg frame {hw}")
    nc = plan.num_classes
    coeffs = outputs[0][0, 4 + nc:4 + nc + plan.num_mask_coeffs][:, anchors].T
    ref_masks, _ = dense_post.yolo_proto_masks(coeffs, outputs[1][0], boxes, hw, t, (plan.input_h, plan.input_w))
    full = got.full_masks()
    for i in range(len(got)):
        inter = np.logical_and(full[i], ref_masks[i]).sum()
        union = np.logical_or(full[i], ref_masks[i]).sum()
        iou = 1.0 if union == 0 else inter / union
        assert iou >= 0.99, f"frame {hw} instance {i} ({got.labels[i]}): mask IoU {iou:.4f}"


@pytest.mark.parametrize("hw", FRAME_SIZES)
def test_classify_matches_reference(fixture_model, hw):
    model, proto = fixture_model("yolov8n_cls")
    frame = scene(*hw, seed=7)
    got = edgecnn.run("classify", frame, model=model, top_k=5)
    plan, outputs, _ = reference_forward(model, proto, frame)
    ids, scores = dense_post.classify_topk(outputs[0], 5, plan.decoder == "logits")
    np.testing.assert_array_equal(got.class_ids, ids)
    np.testing.assert_allclose(got.scores, scores, atol=1e-5)


@pytest.mark.parametrize("hw", FRAME_SIZES)
@pytest.mark.parametrize("name", ["lraspp_mobilenet_v3_large", "deeplabv3_mobilenet_v3_large"])
def test_segment_matches_reference(fixture_model, name, hw):
    model, proto = fixture_model(name, task="segment", mean=[0.485, 0.456, 0.406], std=[0.229, 0.224, 0.225])
    frame = scene(*hw, seed=11)
    got = edgecnn.run("segment", frame, model=model)
    plan, outputs, t = reference_forward(model, proto, frame)
    ref_ids, _, ref_logits = dense_post.segment_map(outputs[0][0], hw, t, (plan.input_h, plan.input_w))
    # Pixels whose two best classes are within the network's numeric noise
    # may legitimately differ; everything else must agree.
    top2 = np.sort(ref_logits, axis=0)[-2:]
    decided = (top2[1] - top2[0]) > 1e-3
    assert decided.mean() > 0.9
    np.testing.assert_array_equal(got.mask[decided], ref_ids[decided])
