"""Reading frames for the command line: images, folders of images, videos.

numpy is edgecnn's only required dependency; decoding images needs Pillow
(`pip install edgecnn[image]`) and videos OpenCV (`pip install edgecnn[video]`).
`.npy` files (H x W x 3 uint8, RGB) need neither.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Optional

import numpy as np

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm", ".npy"}
VIDEO_SUFFIXES = {".mp4", ".avi", ".mov", ".mkv", ".webm", ".m4v", ".mpg", ".mpeg"}


@dataclass
class Frame:
    image: np.ndarray  # H x W x 3 uint8
    color: str  # "rgb" or "bgr"
    source: str  # file it came from
    index: int  # frame number within a video (0 for an image)


def read_image(path: str) -> Frame:
    suffix = Path(path).suffix.lower()
    if suffix == ".npy":
        image = np.load(path, allow_pickle=False)
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
            raise ValueError(f"{path}: a .npy frame must be H x W x 3 uint8, got {image.dtype} {image.shape}")
        return Frame(image, "rgb", path, 0)
    try:
        from PIL import Image
    except ImportError:
        raise ValueError(f"reading {suffix} images needs Pillow: pip install edgecnn[image]") from None
    try:
        with Image.open(path) as im:
            image = np.asarray(im.convert("RGB"))
    except (OSError, Image.DecompressionBombError) as e:
        raise ValueError(f"{path}: cannot read the image ({e})") from None
    return Frame(image, "rgb", path, 0)


def read_video(path: str) -> Iterator[Frame]:
    try:
        import cv2
    except ImportError:
        raise ValueError("reading videos needs OpenCV: pip install edgecnn[video]") from None
    capture = cv2.VideoCapture(path)
    if not capture.isOpened():
        raise ValueError(f"{path}: cannot open the video")
    try:
        index = 0
        while True:
            ok, image = capture.read()
            if not ok:
                break
            yield Frame(image, "bgr", path, index)
            index += 1
    finally:
        capture.release()


def video_frame_count(path: str) -> Optional[int]:
    try:
        import cv2
    except ImportError:
        return None
    capture = cv2.VideoCapture(path)
    n = int(capture.get(cv2.CAP_PROP_FRAME_COUNT)) if capture.isOpened() else 0
    capture.release()
    return n or None


def list_source(source: str) -> tuple:
    """(kind, paths): kind is "images" or "video"; a folder gives its images, sorted."""
    if os.path.isdir(source):
        paths = sorted(str(p) for p in Path(source).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
        if not paths:
            raise ValueError(f"{source}: the folder holds no images ({', '.join(sorted(IMAGE_SUFFIXES))})")
        return "images", paths
    if not os.path.exists(source):
        raise ValueError(f"{source}: no such file or folder")
    suffix = Path(source).suffix.lower()
    if suffix in VIDEO_SUFFIXES:
        return "video", [source]
    if suffix in IMAGE_SUFFIXES:
        return "images", [source]
    raise ValueError(f"{source}: unknown file type {suffix!r} (images: {', '.join(sorted(IMAGE_SUFFIXES))}; "
                     f"videos: {', '.join(sorted(VIDEO_SUFFIXES))})")
