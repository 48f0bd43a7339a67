"""A channel's brand colours and the WCAG arithmetic that keeps text on them readable."""

from __future__ import annotations

from collections.abc import Sequence

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


def _mix(a: RGB, b: RGB, share: float) -> RGB:
    """``a`` moved ``share`` (0..1) of the way to ``b``."""
    return tuple(round(x + (y - x) * share) for x, y in zip(a, b, strict=True))  # type: ignore[return-value]


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

    Colours accept ``"#rrggbb"`` strings; ``from_brand`` makes the palette of a job's brand
    colours. Frozen (and so hashable): renderers cache backgrounds per palette.
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

    @classmethod
    def from_brand(cls, colours: Sequence[str]) -> Palette:
        """The palette of a channel's brand colours, main first: background, accent, text,
        second background, muted text (``VideoJob.brand_colours``). Those left out are
        derived: the accent is a lighter shade of the background; the text is white or
        black, whichever reads better on it; the second background is the first, 15% towards
        the text; the muted text is the text, 25% towards the background. Raises ValueError
        for no colours or one that is not ``#rrggbb``."""
        given = [parse_color(c) for c in colours]
        if not given:
            raise ValueError("a brand needs at least one colour")
        background = given[0]
        accent = given[1] if len(given) > 1 else _mix(background, WHITE, 0.5)
        text = given[2] if len(given) > 2 else readable_on([background], WHITE)
        bottom = given[3] if len(given) > 3 else _mix(background, text, 0.15)
        muted = given[4] if len(given) > 4 else _mix(text, background, 0.25)
        return cls(
            background_top=background,
            background_bottom=bottom,
            accent=accent,
            text=text,
            muted_text=muted,
        )

    def tint(self, pixels: np.ndarray, strength: float) -> np.ndarray:
        """A uint8 (..., 3) picture graded towards the brand: each pixel moved ``strength``
        (0..1) of the way to the colour its lightness has on the brand's ramp (background,
        second background, muted text, text, each at its own lightness). Lightness, and so
        the picture's shapes and faces, are about kept; its hues become the brand's. The
        accent stays out of the ramp: it is for the template's own marks."""
        stops = sorted(
            {self.background_top, self.background_bottom, self.muted_text, self.text},
            key=relative_luminance,
        )
        # Perceived lightness (gamma-encoded luminance), so the ramp follows what eyes see.
        at = [0.0, *(relative_luminance(c) ** (1 / 2.2) for c in stops), 1.0]
        ramp = np.array([stops[0], *stops, stops[-1]], np.float32)
        lightness = luminance_array(pixels) ** (1 / 2.2)
        target = np.stack([np.interp(lightness, at, ramp[:, c]) for c in range(3)], axis=-1)
        graded = pixels * (1 - strength) + target * strength
        return np.clip(np.rint(graded), 0, 255).astype(np.uint8)

    def panel_for(self, text: RGB) -> RGB:
        """A panel colour for ``text`` laid over pictures: light text on the brand's darkest
        colour darkened, dark text on near-white."""
        if relative_luminance(text) > 0.18:
            return tuple(round(c * 0.55) for c in self.background_top)  # type: ignore[return-value]
        return (248, 248, 248)

    def text_on(self, *backgrounds: tuple[float, float, float], muted: bool = False) -> RGB:
        """The palette's text (or muted text) colour, or black/white where it would be
        unreadable on any of ``backgrounds`` (the palette's gradient when none are given)."""
        bgs = list(backgrounds) or [self.background_top, self.background_bottom]
        return readable_on(bgs, self.muted_text if muted else self.text)


DEFAULT_PALETTE = Palette()
