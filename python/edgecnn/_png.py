"""A minimal PNG writer (numpy + zlib), so saving a drawn frame needs no image library.

Writes 8-bit grayscale, RGB or RGBA, non-interlaced, every row with filter
type 0 (None): simple and exact, at some cost in file size.
"""

from __future__ import annotations

import os
import struct
import zlib
from typing import Union

import numpy as np

_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG color type by channel count: grayscale, RGB, RGBA.
_COLOR_TYPES = {1: 0, 3: 2, 4: 6}


def _chunk(kind: bytes, data: bytes) -> bytes:
    # A chunk is length, type, data, then the CRC-32 of type + data.
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(image: np.ndarray, *, color: str = "bgr", level: int = 6) -> bytes:
    """PNG bytes of an (H, W) gray, (H, W, 3) or (H, W, 4) uint8 image.

    color: channel order of a 3- or 4-channel image, "bgr" (OpenCV's, the
    default as for edgecnn.draw) or "rgb".
    """
    if not isinstance(image, np.ndarray):
        raise TypeError(f"image must be a numpy ndarray, got {type(image).__name__}")
    if image.dtype != np.uint8:
        raise TypeError(f"image must be uint8, got dtype {image.dtype}")
    pixels = image[:, :, None] if image.ndim == 2 else image
    if pixels.ndim != 3 or pixels.shape[2] not in _COLOR_TYPES or 0 in pixels.shape[:2]:
        raise ValueError(f"image must be a non-empty (H, W), (H, W, 3) or (H, W, 4) array, got shape {image.shape}")
    if color not in ("bgr", "rgb"):
        raise ValueError(f"color must be 'bgr' or 'rgb', got {color!r}")
    if color == "bgr" and pixels.shape[2] >= 3:
        pixels = pixels[:, :, [2, 1, 0, 3][: pixels.shape[2]]]
    h, w, channels = pixels.shape
    # Each scanline is its filter-type byte (0) followed by the row's bytes.
    scanlines = np.zeros((h, 1 + w * channels), np.uint8)
    scanlines[:, 1:] = pixels.reshape(h, w * channels)
    header = struct.pack(">IIBBBBB", w, h, 8, _COLOR_TYPES[channels], 0, 0, 0)
    return (_SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(scanlines.tobytes(), level))
            + _chunk(b"IEND", b""))


def write_png(path: Union[str, os.PathLike], image: np.ndarray, *, color: str = "bgr") -> None:
    """Writes `image` (see encode_png) to `path` as PNG."""
    data = encode_png(image, color=color)
    with open(os.fspath(path), "wb") as f:
        f.write(data)
