"""Numpy references of the dense post-processing (csrc/post): classification
top-k, semantic segmentation maps, YOLO prototype masks, torchvision's Mask R-CNN
paste, COCO RLE.

Written for clarity: masks are built over the whole frame (the C++ works box
by box) and most arithmetic is float64, except the torchvision port, which
follows PyTorch's float32 steps.
"""

import numpy as np

from .preprocess import resample


def softmax(x, axis):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def classify_topk(values, k, apply_softmax):
    """-> (ids, scores) of the k best classes: descending score, ties by lower id."""
    v = np.asarray(values, np.float64).ravel()
    if apply_softmax:
        v = softmax(v, 0)
    order = np.lexsort((np.arange(v.size), -v))[:k]
    return order, v[order]


def frame_to_grid(frame_size, scale, pad, input_size, grid_size):
    """Where a frame axis's pixel centres land on a grid of grid_size cells
    spanning input_size network-input pixels: (coordinates with cell i centred
    at i, (lo, hi)) where [lo, hi) are the cells overlapping the image (the
    letterbox padding cut off)."""
    ratio = grid_size / input_size
    coords = ((np.arange(frame_size) + 0.5) * scale + pad) * ratio - 0.5
    lo = int(np.clip(np.floor(pad * ratio + 1e-6), 0, grid_size - 1))
    hi = int(np.clip(np.ceil((pad + frame_size * scale) * ratio - 1e-6), lo + 1, grid_size))
    return coords, (lo, hi)


def frame_resample(planes, frame_hw, transform, input_hw):
    """planes [..., h, w] over the network input, sampled at every frame pixel -> [..., H, W]."""
    sx, sy, px, py = transform
    ys, y_range = frame_to_grid(frame_hw[0], sy, py, input_hw[0], planes.shape[-2])
    xs, x_range = frame_to_grid(frame_hw[1], sx, px, input_hw[1], planes.shape[-1])
    return resample(planes, ys, xs, y_range, x_range)


def segment_map(logits, frame_hw, transform, input_hw):
    """(C, h, w) logits -> (class map (H, W): uint8 if C <= 256 else int32,
    softmax scores (C, H, W), the resampled logits (C, H, W))."""
    up = frame_resample(logits, frame_hw, transform, input_hw)
    ids = np.argmax(up, axis=0).astype(np.uint8 if logits.shape[0] <= 256 else np.int32)
    return ids, softmax(up, 0), up


def box_region(box, frame_hw):
    """(x0, y0, x1, y1): columns [floor(bx1), ceil(bx2)) and rows alike, clipped to the frame."""
    h, w = frame_hw
    x0 = int(np.clip(np.floor(box[0]), 0, w))
    y0 = int(np.clip(np.floor(box[1]), 0, h))
    return x0, y0, max(x0, int(np.clip(np.ceil(box[2]), 0, w))), max(y0, int(np.clip(np.ceil(box[3]), 0, h)))


def centers_in_boxes(boxes, frame_hw):
    """(N, H, W): pixel centre inside the box, x1 <= X + 0.5 < x2 and y alike."""
    cy = np.arange(frame_hw[0]) + 0.5
    cx = np.arange(frame_hw[1]) + 0.5
    b = np.asarray(boxes, np.float64)
    in_y = (b[:, 1, None] <= cy) & (cy < b[:, 3, None])
    in_x = (b[:, 0, None] <= cx) & (cx < b[:, 2, None])
    return in_y[:, :, None] & in_x[:, None, :]


def yolo_proto_masks(coeffs, protos, boxes, frame_hw, transform, input_hw):
    """-> (full masks (N, H, W) bool, mask logits (N, H, W)): Σ coeff · proto
    upsampled to the frame, > 0, cropped to the boxes by pixel centres."""
    nm, ph, pw = protos.shape
    comb = (np.asarray(coeffs, np.float64) @ np.asarray(protos, np.float64).reshape(nm, -1)).reshape(-1, ph, pw)
    logits = frame_resample(comb, frame_hw, transform, input_hw)
    return (logits > 0) & centers_in_boxes(boxes, frame_hw), logits


def torch_interpolate_bilinear(plane, out_h, out_w):
    """F.interpolate(plane[None, None], (out_h, out_w), mode="bilinear",
    align_corners=False)[0, 0] as PyTorch's CPU kernel computes it, in float32."""

    def axis(n_in, n_out):
        if n_in == n_out:
            i = np.arange(n_out)
            return i, i, np.zeros(n_out, np.float32)
        scale = np.float32(n_in) / np.float32(n_out)
        src = scale * (np.arange(n_out, dtype=np.float32) + np.float32(0.5)) - np.float32(0.5)
        src = np.maximum(src, np.float32(0))
        i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
        l1 = np.clip(src - i0.astype(np.float32), np.float32(0), np.float32(1))
        return i0, i0 + (i0 < n_in - 1), l1

    y0, y1, ly = axis(plane.shape[0], out_h)
    x0, x1, lx = axis(plane.shape[1], out_w)
    ly0, lx0 = np.float32(1) - ly, np.float32(1) - lx
    p = plane.astype(np.float32)
    top = lx0 * p[y0][:, x0] + lx * p[y0][:, x1]
    bottom = lx0 * p[y1][:, x0] + lx * p[y1][:, x1]
    return (ly0[:, None] * top + ly[:, None] * bottom).astype(np.float32)


def torch_paste_boxes(boxes, mask_size, padding=1):
    """torchvision's expand_masks scale and expand_boxes, float32, then
    .to(torch.int64) (truncation toward zero) -> (N, 4) int64."""
    scale = np.float32((mask_size + 2 * padding) / mask_size)
    b = np.asarray(boxes, np.float32)
    w_half = (b[:, 2] - b[:, 0]) * np.float32(0.5)
    h_half = (b[:, 3] - b[:, 1]) * np.float32(0.5)
    x_c = (b[:, 2] + b[:, 0]) * np.float32(0.5)
    y_c = (b[:, 3] + b[:, 1]) * np.float32(0.5)
    w_half = w_half * scale
    h_half = h_half * scale
    expanded = np.stack([x_c - w_half, y_c - h_half, x_c + w_half, y_c + h_half], axis=1)
    return np.trunc(expanded).astype(np.int64)


def paste_masks_in_image(masks, boxes, frame_hw, padding=1):
    """torchvision.models.detection.roi_heads.paste_masks_in_image (eager path)
    for (N, M, M) masks -> (N, H, W) float32 probabilities. A box entirely
    below or right of the frame pastes nothing (torchvision's slicing would
    fail on it)."""
    im_h, im_w = frame_hw
    masks = np.asarray(masks, np.float32)
    padded = np.pad(masks, ((0, 0), (padding, padding), (padding, padding)))
    out = np.zeros((masks.shape[0], im_h, im_w), np.float32)
    for i, box in enumerate(torch_paste_boxes(boxes, masks.shape[-1], padding)):
        w = max(int(box[2] - box[0] + 1), 1)
        h = max(int(box[3] - box[1] + 1), 1)
        x_0, x_1 = max(box[0], 0), min(box[2] + 1, im_w)
        y_0, y_1 = max(box[1], 0), min(box[3] + 1, im_h)
        if x_1 <= x_0 or y_1 <= y_0:
            continue
        resized = torch_interpolate_bilinear(padded[i], h, w)
        out[i, y_0:y_1, x_0:x_1] = resized[y_0 - box[1] : y_1 - box[1], x_0 - box[0] : x_1 - box[0]]
    return out


def paste_region(box, mask_size, frame_hw):
    """(x0, y0, x1, y1) of the pixels paste_masks_in_image writes for one box, clipped to the frame."""
    b = torch_paste_boxes(np.asarray(box, np.float32)[None], mask_size)[0]
    h, w = frame_hw
    x0, y0 = int(np.clip(b[0], 0, w)), int(np.clip(b[1], 0, h))
    return x0, y0, max(x0, min(int(b[2]) + 1, w)), max(y0, min(int(b[3]) + 1, h))


def rle_encode(mask):
    """COCO RLE counts (uint32) of a full (H, W) mask: column-major pixel order,
    alternating run lengths starting with a run of 0s."""
    flat = np.asarray(mask, bool).T.ravel()
    bounds = np.concatenate([[0], np.flatnonzero(flat[1:] != flat[:-1]) + 1, [flat.size]])
    runs = np.diff(bounds)
    if flat[0]:
        runs = np.concatenate([[0], runs])
    return runs.astype(np.uint32)


def rle_decode(counts, frame_hw):
    """Inverse of rle_encode -> (H, W) bool."""
    h, w = frame_hw
    flat = np.repeat(np.arange(len(counts)) % 2 == 1, np.asarray(counts, np.int64))
    assert flat.size == h * w, "counts must sum to H * W"
    return flat.reshape(w, h).T
