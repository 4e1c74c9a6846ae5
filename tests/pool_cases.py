"""Random 2-D pooling windows shared by the MaxPool and AveragePool tests."""

from __future__ import annotations

from single_node import CHANNELS


def random_pool_case(rng, dilations: bool):
    """(x_shape, ONNX attributes): odd and even sizes, asymmetric pads smaller than
    the kernel (onnxruntime's limit), auto_pad, ceil_mode on and off."""
    kernel = [int(v) for v in rng.integers(1, 5, size=2)]
    attrs = {"kernel_shape": kernel, "strides": [int(v) for v in rng.integers(1, 4, size=2)],
             "ceil_mode": int(rng.integers(0, 2))}
    pad_mode = rng.choice(["none", "symmetric", "asymmetric", "SAME_UPPER", "SAME_LOWER", "VALID"])
    # onnxruntime sizes SAME pads from the undilated kernel, against the ONNX
    # formula (which the converter follows): no dilations with SAME here.
    dil = [1, 1]
    if dilations and not str(pad_mode).startswith("SAME"):
        dil = [int(v) for v in rng.integers(1, 3, size=2)]
        attrs["dilations"] = dil
    if str(pad_mode).startswith("SAME") and any(s > k for s, k in zip(attrs["strides"], kernel)):
        pad_mode = "VALID"  # onnxruntime rejects the negative SAME pads of a stride above the kernel
    if pad_mode in ("SAME_UPPER", "SAME_LOWER", "VALID"):
        attrs["auto_pad"] = str(pad_mode)
        attrs.pop("ceil_mode")  # ceil_mode does not apply to auto_pad output sizes
    elif pad_mode == "symmetric":
        p = [int(rng.integers(0, k)) for k in kernel]
        attrs["pads"] = p + p
    elif pad_mode == "asymmetric":
        attrs["pads"] = [int(rng.integers(0, kernel[i % 2])) for i in range(4)]
    # The window must fit the input (with its pads).
    lo = [d * (k - 1) + 1 for d, k in zip(dil, kernel)]
    h, w = (int(rng.integers(max(1, lo[i]), 24)) for i in range(2))
    return (int(rng.integers(1, 3)), int(rng.choice(CHANNELS)), h, w), attrs


def stride2_column_cases(dilations: bool):
    """Windows with stride 2 across, whose columns fold from the even/odd split
    of each folded row: kernel widths 1-5, every left pad below the kernel,
    widths around the 16-lane vector (odd and even), ceil_mode on and off."""
    for kw in (1, 2, 3, 5):
        for dw in ((1, 2) if dilations else (1,)):
            for pad in range(kw):
                for w in (dw * (kw - 1) + 1, 15, 16, 17, 33):
                    if w < dw * (kw - 1) + 1 - pad:
                        continue
                    attrs = {"kernel_shape": [2, kw], "strides": [1, 2], "pads": [0, pad, 1, kw - 1 - pad],
                             "ceil_mode": (kw + w) % 2}
                    if dw > 1:
                        attrs["dilations"] = [1, dw]
                    yield (1, 3, 4, w), attrs
