"""A channel's brand colours and the WCAG arithmetic that keeps text on them readable."""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, field_validator

RGB = tuple[int, int, int]

WHITE: RGB = (255, 255, 255)
BLACK: RGB = (0, 0, 0)

# WCAG 2.x AA for normal text; thumbnails and slides hold themselves to it everywhere.
MIN_TEXT_CONTRAST = 4.5


def parse_color(value: object) -> RGB:
    """An (r, g, b) tuple from ``"#rrggbb"``, ``"#rgb"`` or a 3-sequence of 0..255 ints."""
    if isinstance(value, str):
        text = value.strip().lstrip("#")
        if len(text) == 3:
            text = "".join(ch * 2 for ch in text)
        if len(text) != 6:
            raise ValueError(f"colour {value!r} is not #rrggbb")
        try:
            return (int(text[0:2], 16), int(text[2:4], 16), int(text[4:6], 16))
        except ValueError:
            raise ValueError(f"colour {value!r} is not #rrggbb") from None
    if isinstance(value, list | tuple) and len(value) == 3:
        channels = tuple(int(c) for c in value)
        if all(0 <= c <= 255 for c in channels):
            return channels  # type: ignore[return-value]
    raise ValueError(f"colour {value!r} is neither #rrggbb nor three 0..255 values")


def _linear(channel: float) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2.x relative luminance of an sRGB colour (channels 0..255), from 0 to 1."""
    r, g, b = rgb
    return 0.2126 * _linear(r) + 0.7152 * _linear(g) + 0.0722 * _linear(b)


def luminance_array(pixels: np.ndarray) -> np.ndarray:
    """``relative_luminance`` of every pixel of a uint8 (..., 3) array, as float32."""
    c = pixels.astype(np.float32) / 255
    linear = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722], np.float32)


def contrast_ratio(rgb1: tuple[float, float, float], rgb2: tuple[float, float, float]) -> float:
    """WCAG contrast ratio of two colours, from 1 (same) to 21 (black on white); symmetric."""
    l1, l2 = relative_luminance(rgb1), relative_luminance(rgb2)
    hi, lo = max(l1, l2), min(l1, l2)
    return (hi + 0.05) / (lo + 0.05)


def readable_on(backgrounds: list[tuple[float, float, float]], preferred: RGB) -> RGB:
    """``preferred`` if it reaches WCAG AA on every colour in ``backgrounds``, else white or
    black, whichever has the better worst case (on one colour, one of them reaches 4.5)."""

    def worst(colour: RGB) -> float:
        return min(contrast_ratio(colour, bg) for bg in backgrounds)

    if worst(preferred) >= MIN_TEXT_CONTRAST:
        return preferred
    return max((WHITE, BLACK), key=worst)


class Palette(BaseModel):
    """Brand colours: a diagonal background gradient, one accent, and the text colours.

    Colours accept ``"#rrggbb"`` strings, so a channel profile's brand colours can be passed
    as they are written. Frozen (and so hashable): renderers cache backgrounds per palette.
    """

    model_config = ConfigDict(frozen=True)

    background_top: RGB = (11, 19, 43)
    background_bottom: RGB = (28, 49, 94)
    accent: RGB = (255, 183, 3)
    text: RGB = (248, 250, 252)
    muted_text: RGB = (190, 203, 222)

    @field_validator(
        "background_top", "background_bottom", "accent", "text", "muted_text", mode="before"
    )
    @classmethod
    def _color(cls, value: object) -> RGB:
        return parse_color(value)

    @property
    def background_mid(self) -> RGB:
        top, bottom = self.background_top, self.background_bottom
        return tuple((a + b) // 2 for a, b in zip(top, bottom, strict=True))  # type: ignore[return-value]

    def text_on(self, *backgrounds: tuple[float, float, float], muted: bool = False) -> RGB:
        """The palette's text (or muted text) colour, or black/white where it would be
        unreadable on any of ``backgrounds`` (the palette's gradient when none are given)."""
        bgs = list(backgrounds) or [self.background_top, self.background_bottom]
        return readable_on(bgs, self.muted_text if muted else self.text)


DEFAULT_PALETTE = Palette()
