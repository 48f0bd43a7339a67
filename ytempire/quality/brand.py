"""Brand consistency of a picture: how much of it is in the channel's brand colours.

The picture's dominant colours are found by median-cut quantisation (``DOMINANT_COLOURS``
of them, on a 160x90 copy: dominance is about areas, not detail). Each dominant colour is
compared with the nearest brand colour by its distance in CIELAB with lightness weighted
by one half, as CMC's 2:1 acceptability formula does: a lighter or darker shade of a brand
colour (the glow on a card, a shadow) is still the brand. Up to ``NEAR_DELTA_E`` a colour
counts as on-brand, from ``FAR_DELTA_E`` as off-brand, linearly in between. The score is the
area-weighted mean over the dominant colours, from 0 (nothing of the brand) to 1 (only brand
colours).

The brand colours are a ``Palette``'s (its background gradient at both ends and in the
middle, accent, text, muted text) plus black and white, which every palette falls back to
for readable text (``Palette.text_on``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

from ytempire.visuals.palette import BLACK, WHITE, Palette

DOMINANT_COLOURS = 8
ANALYSIS_SIZE = (160, 90)
# Lightness differences count half (CMC l:c = 2:1).
LIGHTNESS_WEIGHT = 0.5
# Measured: brand-art and key-frame thumbnails 0.91-0.98; on a generated picture graded to
# the brand (``Palette.tint``) 0.82-1.00, ungraded 0.21-0.54; a vivid picture alone
# 0.15-0.21 (docs/quality.md).
NEAR_DELTA_E = 15.0
FAR_DELTA_E = 40.0

# D65 reference white, for sRGB.
_WHITE_XYZ = np.array([0.95047, 1.0, 1.08883])
_RGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """CIELAB (D65) of sRGB colours, an (..., 3) array of 0..255 values."""
    c = np.asarray(rgb, dtype=np.float64) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = linear @ _RGB_TO_XYZ.T / _WHITE_XYZ
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def brand_colours(palette: Palette) -> list[tuple[int, int, int]]:
    """The colours a picture in ``palette``'s brand may be made of."""
    return [
        palette.background_top,
        palette.background_mid,
        palette.background_bottom,
        palette.accent,
        palette.text,
        palette.muted_text,
        BLACK,
        WHITE,
    ]


def dominant_colours(image: Image.Image) -> list[tuple[float, tuple[int, int, int]]]:
    """(share of the picture, colour) of its dominant colours, largest share first."""
    small = image.convert("RGB").resize(ANALYSIS_SIZE, Image.Resampling.BILINEAR)
    quantised = small.quantize(colors=DOMINANT_COLOURS, method=Image.Quantize.MEDIANCUT)
    table = quantised.getpalette() or []
    counts = quantised.getcolors(DOMINANT_COLOURS) or []
    total = ANALYSIS_SIZE[0] * ANALYSIS_SIZE[1]
    found = []
    for count, index in counts:
        i = 3 * int(index)  # type: ignore[arg-type]  # a "P" image counts palette indexes
        found.append((count / total, (table[i], table[i + 1], table[i + 2])))
    return sorted(found, key=lambda item: -item[0])


def brand_consistency(path: Path, palette: Palette) -> float:
    """How much of the picture at ``path`` is in ``palette``'s colours, 0..1 (see above)."""
    with Image.open(path) as image:
        dominant = dominant_colours(image)
    colours = to_lab(np.array([colour for _, colour in dominant], dtype=np.float64))
    brand = to_lab(np.array(brand_colours(palette), dtype=np.float64))
    gaps = colours[:, None, :] - brand[None, :, :]
    gaps[..., 0] *= LIGHTNESS_WEIGHT
    nearest = np.linalg.norm(gaps, axis=-1).min(axis=1)
    closeness = np.clip((FAR_DELTA_E - nearest) / (FAR_DELTA_E - NEAR_DELTA_E), 0.0, 1.0)
    shares = np.array([share for share, _ in dominant])
    return round(float((shares * closeness).sum() / shares.sum()), 4)
