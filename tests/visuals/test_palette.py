from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from ytempire.visuals.palette import (
    BLACK,
    DEFAULT_PALETTE,
    WHITE,
    Palette,
    contrast_ratio,
    luminance_array,
    readable_on,
    relative_luminance,
)


def test_luminance_and_contrast_follow_wcag() -> None:
    assert relative_luminance(WHITE) == pytest.approx(1.0)
    assert relative_luminance(BLACK) == pytest.approx(0.0)
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, BLACK) == pytest.approx(21.0)
    assert contrast_ratio((90, 90, 90), (90, 90, 90)) == pytest.approx(1.0)
    # #767676 on white is the classic "just passes AA" grey.
    assert contrast_ratio((0x76, 0x76, 0x76), WHITE) == pytest.approx(4.54, abs=0.01)


def test_the_default_palette_is_readable_on_its_own_gradient() -> None:
    p = DEFAULT_PALETTE
    for bg in (p.background_top, p.background_bottom):
        assert contrast_ratio(p.text, bg) >= 4.5
        assert contrast_ratio(p.muted_text, bg) >= 4.5
        assert contrast_ratio(p.accent, bg) >= 4.5


def test_palettes_take_hex_colours_and_are_hashable() -> None:
    p = Palette(accent="#f00", background_top="#102030")
    assert p.accent == (255, 0, 0)
    assert p.background_top == (16, 32, 48)
    assert hash(p) == hash(Palette(accent="#ff0000", background_top=(16, 32, 48)))
    with pytest.raises(ValidationError):
        Palette(accent="#12345")


def test_an_unreadable_brand_text_colour_falls_back_to_black_or_white() -> None:
    yellow = (250, 220, 40)
    assert readable_on([yellow], WHITE) == BLACK
    assert readable_on([(10, 10, 60)], (200, 200, 200)) == (200, 200, 200)
    light = Palette(background_top="#fafafa", background_bottom="#eeeeee", text="#ffffff")
    assert light.text_on() == BLACK


def test_brand_colours_fill_the_palette_in_order_and_derive_the_rest() -> None:
    full = Palette.from_brand(["#0B1D3A", "#F2C14E", "#FFFFFF", "#102040", "#C0C0C0"])
    assert (full.background_top, full.accent, full.text) == ((11, 29, 58), (242, 193, 78), WHITE)
    assert (full.background_bottom, full.muted_text) == ((16, 32, 64), (192, 192, 192))
    light = Palette.from_brand(["#FFD700"])
    # Text that reads on the brand's own background; an accent in the brand's hue.
    assert light.text == BLACK and contrast_ratio(light.text, light.background_top) >= 4.5
    assert light.accent[0] > light.accent[2] and light.accent != light.background_top
    with pytest.raises(ValueError, match="at least one colour"):
        Palette.from_brand([])
    with pytest.raises(ValueError, match="not #rrggbb"):
        Palette.from_brand(["#12"])


def test_tint_grades_hues_to_the_brand_and_keeps_lightness() -> None:
    rng = np.random.default_rng(0)
    pixels = rng.integers(0, 256, (64, 64, 3), dtype=np.uint8)
    green = Palette.from_brand(["#1B5E20", "#FAFAFA"])
    graded = green.tint(pixels, 1.0)
    # Fully graded, every pixel is on the brand's ramp: green shades up to white.
    assert (graded[..., 1] >= graded[..., 0]).all() and (graded[..., 1] >= graded[..., 2]).all()
    lightness = np.corrcoef(luminance_array(pixels).ravel(), luminance_array(graded).ravel())
    assert lightness[0, 1] > 0.95
    assert (green.tint(pixels, 0.0) == pixels).all()
