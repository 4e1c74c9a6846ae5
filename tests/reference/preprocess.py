"""Numpy reference of the pre-processing (csrc/pre): frame placement (resize or
letterbox), half-pixel bilinear resampling, channel order and normalisation.

Written for clarity, in float64; the C++ computes coordinates and blends in
float32, so comparisons need a small tolerance.
"""

import numpy as np


def place_frame(h, w, out_h, out_w, letterbox):
    """-> (resized_h, resized_w, pad_y, pad_x, (scale_x, scale_y, pad_x, pad_y)).

    letterbox: r = min(out_h / h, out_w / w); resized sizes are round(size * r)
    (Python's round: halves to even, as Ultralytics' LetterBox), clamped to
    [1, out]; the image is centred with the padding's odd pixel on the far side.
    The scales are the ones the pixels get: resized / original.
    """
    if letterbox:
        r = min(out_h / h, out_w / w)
        rh = min(max(round(h * r), 1), out_h)
        rw = min(max(round(w * r), 1), out_w)
        py, px = (out_h - rh) // 2, (out_w - rw) // 2
    else:
        rh, rw, py, px = out_h, out_w, 0, 0
    return rh, rw, py, px, (rw / w, rh / h, float(px), float(py))


def linear_weights(coords, lo, hi):
    """Source cells and weights of a linear interpolation at float coordinates,
    confined to the cells [lo, hi) (the edge cell is replicated)."""
    s = np.clip(np.asarray(coords, np.float64), lo, hi - 1)
    i0 = np.floor(s).astype(np.int64)
    i1 = np.minimum(i0 + 1, hi - 1)
    return i0, i1, s - i0


def resample(planes, ys, xs, y_range, x_range):
    """planes [..., h, w] sampled bilinearly at rows ys x columns xs
    (coordinates in cell units, cell i centred at i), reading only the cells
    y_range = (lo, hi) and x_range."""
    y0, y1, wy = linear_weights(ys, *y_range)
    x0, x1, wx = linear_weights(xs, *x_range)
    p = np.asarray(planes, np.float64)
    rows = p[..., y0, :] * (1 - wy)[:, None] + p[..., y1, :] * wy[:, None]
    return rows[..., x0] * (1 - wx) + rows[..., x1] * wx


def half_pixel_coords(n_out, n_in):
    """Source coordinates of a resize from n_in to n_out samples (cv2
    INTER_LINEAR / align_corners=False): (d + 0.5) * n_in / n_out - 0.5."""
    return (np.arange(n_out) + 0.5) * (n_in / n_out) - 0.5


def preprocess(frame, out_h, out_w, letterbox, pad_value, swap_rb, mean, std):
    """H x W x 3 uint8 -> ((1, 3, out_h, out_w) float32, transform)."""
    h, w, _ = frame.shape
    rh, rw, py, px, transform = place_frame(h, w, out_h, out_w, letterbox)
    img = np.asarray(frame, np.float64)
    if swap_rb:
        img = img[..., ::-1]
    planes = img.transpose(2, 0, 1)
    resized = resample(planes, half_pixel_coords(rh, h), half_pixel_coords(rw, w), (0, h), (0, w))
    canvas = np.full((3, out_h, out_w), float(pad_value))
    canvas[:, py : py + rh, px : px + rw] = resized
    mean = np.asarray(mean, np.float64)[:, None, None]
    std = np.asarray(std, np.float64)[:, None, None]
    return ((canvas / 255.0 - mean) / std)[None].astype(np.float32), transform
