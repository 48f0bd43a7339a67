"""Measurements of still images for the quality stage: size, tone, colour and text contrast.

Text contrast is estimated from the pixels alone: inside the box where the text sits, the
pixels split into a light and a dark cluster (Otsu's threshold on luma), one the letters and
one what is behind them, and their typical colours give the WCAG contrast ratio. That is
what a viewer's eye does too, and it needs no knowledge of how the image was made.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image
from pydantic import BaseModel, Field

from ytempire.visuals.palette import luminance_array
from ytempire.visuals.thumbnails import read_text_box

Box = tuple[int, int, int, int]

# A cluster smaller than this share of the box is specks, not letters: contrast unmeasurable.
MIN_CLUSTER_SHARE = 0.01


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


def measure_thumbnail(path: Path, text_box: Box | None = None) -> ThumbnailMetrics:
    """Measure the image at ``path``; with a text box (given, or recorded in the PNG by
    ``make_thumbnails``) also estimate the text's contrast ratio there."""
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
    ratio = None
    if box is not None:
        left, top, right, bottom = box
        ratio = text_contrast(rgb[top:bottom, left:right])
    return ThumbnailMetrics(
        width=width,
        height=height,
        size_bytes=path.stat().st_size,
        mean_luminance=round(float(luminance_array(rgb).mean()), 4),
        rms_contrast=round(float(luma.std()), 4),
        saturation=round(float(saturation.mean()), 4),
        text_box=box,
        text_contrast_ratio=ratio,
    )
