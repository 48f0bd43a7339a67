"""Measurements of still images for the quality stage: size, tone, colour, text and faces.

Text contrast is estimated from the pixels alone: inside the box where the text sits, the
pixels split into a light and a dark cluster (Otsu's threshold on luma), one the letters and
one what is behind them, and their typical colours give the WCAG contrast ratio. That is
what a viewer's eye does too, and it needs no knowledge of how the image was made.

Text visibility (seed §4.1, threshold 0.9) asks whether the text survives where viewers see
it, at 320x180, the size of YouTube's own listing thumbnails (``mqdefault``). It is the
product of three shares, each capped at 1:

- the share of the text box that nothing covers (YouTube's duration stamp in the lower
  right corner, a face in the picture);
- the text's WCAG contrast at that size over 4.5 (thin strokes blur into the background);
- the height of its lines' ink at that size over 6 pixels (the letters, that is the minority
  cluster of the box, measured row by row; smaller capitals cannot be read).

Faces are found with OpenCV's Haar cascade (``quality.faces``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel, Field

from ytempire.quality.faces import detect_faces, overlap_share
from ytempire.visuals.palette import MIN_TEXT_CONTRAST, luminance_array
from ytempire.visuals.thumbnails import read_text_box

Box = tuple[int, int, int, int]

# A cluster smaller than this share of the box is specks, not letters: contrast unmeasurable.
MIN_CLUSTER_SHARE = 0.01
# YouTube's listing size (its ``mqdefault`` thumbnail) where text visibility is judged.
DISPLAY_SIZE = (320, 180)
# Where YouTube draws the video's duration: the lower right corner, as shares of the frame.
DURATION_STAMP = (0.86, 0.875, 1.0, 1.0)
# Ink height of a line of capitals, at DISPLAY_SIZE, below which it cannot be read.
MIN_DISPLAY_LINE_PX = 6.0
# A row of the text box belongs to a line of text when this share of it is ink.
INK_ROW_SHARE = 0.02


class ThumbnailMetrics(BaseModel):
    """What the quality suite checks about a thumbnail image."""

    width: int
    height: int
    size_bytes: int = Field(ge=0)
    mean_luminance: float = Field(ge=0, le=1, description="mean WCAG relative luminance")
    rms_contrast: float = Field(ge=0, le=1, description="standard deviation of luma in 0..1")
    saturation: float = Field(ge=0, le=1, description="mean HSV saturation")
    text_box: Box | None = Field(default=None, description="(left, top, right, bottom) measured")
    text_contrast_ratio: float | None = Field(
        default=None, ge=1, le=21, description="WCAG ratio of the text box's light/dark clusters"
    )
    text_area_share: float | None = Field(
        default=None, ge=0, le=1, description="the text box's share of the frame"
    )
    text_visibility: float | None = Field(
        default=None, ge=0, le=1, description="uncovered share × contrast kept at 320x180"
    )
    faces: int = Field(default=0, ge=0, description="frontal faces found (Haar cascade)")
    face_share: float = Field(default=0, ge=0, le=1, description="the largest face's share")


def otsu_threshold(values: np.ndarray) -> int:
    """The 0..255 threshold that best separates ``values`` (uint8) into two classes."""
    hist = np.bincount(values.ravel(), minlength=256).astype(np.float64)
    total = hist.sum()
    if total == 0:
        return 128
    levels = np.arange(256)
    weight_lo = np.cumsum(hist)
    weight_hi = total - weight_lo
    sum_lo = np.cumsum(hist * levels)
    mean_lo = sum_lo / np.maximum(weight_lo, 1)
    mean_hi = (sum_lo[-1] - sum_lo) / np.maximum(weight_hi, 1)
    between = weight_lo * weight_hi * (mean_lo - mean_hi) ** 2
    return int(np.argmax(between))


def text_contrast(rgb: np.ndarray) -> float | None:
    """WCAG contrast between the light and dark clusters of an (h, w, 3) uint8 region, or
    None when the region has no second cluster (no text, or a flat colour).

    Each cluster is represented by its median luminance, so the anti-aliased edges of the
    letters, which fall between the two, do not drag the estimate down.
    """
    pixels = rgb.reshape(-1, 3)
    if len(pixels) == 0:
        return None
    luma = (pixels @ np.array([0.299, 0.587, 0.114])).round().clip(0, 255).astype(np.uint8)
    threshold = otsu_threshold(luma)
    light = luma > threshold
    share = float(light.mean())
    if min(share, 1 - share) < MIN_CLUSTER_SHARE:
        return None
    lum = luminance_array(pixels)
    hi = float(np.median(lum[light]))
    lo = float(np.median(lum[~light]))
    return round((max(hi, lo) + 0.05) / (min(hi, lo) + 0.05), 3)


def _clip_box(box: Box, width: int, height: int) -> Box | None:
    left, top, right, bottom = box
    left, right = max(0, min(left, width)), max(0, min(right, width))
    top, bottom = max(0, min(top, height)), max(0, min(bottom, height))
    if right - left < 2 or bottom - top < 2:
        return None
    return (left, top, right, bottom)


def duration_stamp(width: int, height: int) -> Box:
    """Where YouTube's duration stamp covers a thumbnail of this size."""
    x0, y0, x1, y1 = DURATION_STAMP
    return (round(width * x0), round(height * y0), round(width * x1), round(height * y1))


def line_height(rgb: np.ndarray) -> float:
    """Median ink height, in pixels, of the lines of text in an (h, w, 3) region: the letters
    are the smaller of its two luma clusters; a line is a run of rows holding enough ink."""
    pixels = rgb.reshape(-1, 3)
    if len(pixels) == 0:
        return 0.0
    luma = (rgb @ np.array([0.299, 0.587, 0.114])).round().clip(0, 255).astype(np.uint8)
    light = luma > otsu_threshold(luma)
    ink = light if light.mean() <= 0.5 else ~light
    rows = ink.mean(axis=1) >= INK_ROW_SHARE
    runs: list[int] = []
    count = 0
    for row in [*rows.tolist(), False]:
        if row:
            count += 1
        elif count:
            runs.append(count)
            count = 0
    runs = [r for r in runs if r >= 2]
    return float(np.median(runs)) if runs else 0.0


def text_visibility(
    rgb_image: Image.Image, box: Box, ratio: float | None, covers: list[Box]
) -> float:
    """The share of ``box`` that ``covers`` leave free, times the text's contrast at
    ``DISPLAY_SIZE`` over 4.5, times its line height there over ``MIN_DISPLAY_LINE_PX``
    (each capped at 1); 0 when there is no text (``ratio`` None)."""
    if ratio is None:
        return 0.0
    width, height = rgb_image.size
    small = np.asarray(rgb_image.resize(DISPLAY_SIZE, Image.Resampling.LANCZOS))
    sx, sy = DISPLAY_SIZE[0] / width, DISPLAY_SIZE[1] / height
    left, top, right, bottom = box
    region = small[
        int(top * sy) : max(int(top * sy) + 1, round(bottom * sy)),
        int(left * sx) : max(int(left * sx) + 1, round(right * sx)),
    ]
    small_ratio = text_contrast(region)
    kept = 0.0 if small_ratio is None else min(1.0, small_ratio / MIN_TEXT_CONTRAST)
    full = np.asarray(rgb_image)[top:bottom, left:right]
    size = min(1.0, line_height(full) * sy / MIN_DISPLAY_LINE_PX)
    return round((1 - overlap_share(box, covers)) * kept * size, 4)


def measure_thumbnail(path: Path, text_box: Box | None = None) -> ThumbnailMetrics:
    """Measure the image at ``path``; with a text box (given, or recorded in the PNG by
    ``make_thumbnails``) also estimate the text's contrast ratio and visibility there."""
    path = Path(path)
    if text_box is None:
        text_box = read_text_box(path)
    with Image.open(path) as image:
        rgb_image = image.convert("RGB")
    rgb = np.asarray(rgb_image)
    height, width = rgb.shape[:2]
    luma = np.asarray(rgb_image.convert("L"), dtype=np.float32) / 255
    saturation = np.asarray(rgb_image.convert("HSV"), dtype=np.float32)[..., 1] / 255
    box = _clip_box(text_box, width, height) if text_box is not None else None
    faces = detect_faces(rgb_image)
    ratio = visibility = area_share = None
    if box is not None:
        left, top, right, bottom = box
        ratio = text_contrast(rgb[top:bottom, left:right])
        area_share = round((right - left) * (bottom - top) / (width * height), 4)
        covers = [duration_stamp(width, height), *faces]
        visibility = text_visibility(rgb_image, box, ratio, covers)
    largest = max(((r - lft) * (b - t) for lft, t, r, b in faces), default=0)
    return ThumbnailMetrics(
        width=width,
        height=height,
        size_bytes=path.stat().st_size,
        mean_luminance=round(float(luminance_array(rgb).mean()), 4),
        rms_contrast=round(float(luma.std()), 4),
        saturation=round(float(saturation.mean()), 4),
        text_box=box,
        text_contrast_ratio=ratio,
        text_area_share=area_share,
        text_visibility=visibility,
        faces=len(faces),
        face_share=round(largest / (width * height), 4),
    )
