from __future__ import annotations

import pytest
from pydantic import ValidationError

from ytempire.visuals.palette import (
    BLACK,
    DEFAULT_PALETTE,
    WHITE,
    Palette,
    contrast_ratio,
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
