from __future__ import annotations

from pathlib import Path

import pytest
from fontTools.ttLib import TTFont

from ytempire.fonts import find_font, load_font
from ytempire.visuals.text import ELLIPSIS, fit_paragraphs, fit_text, ink_width, wrap


@pytest.fixture
def display():
    return find_font("display")


def test_short_text_gets_the_largest_size_that_fits(display) -> None:
    small_box = fit_text("Hello", display, (400, 200), max_size=300, min_size=10, max_lines=1)
    big_box = fit_text("Hello", display, (800, 400), max_size=300, min_size=10, max_lines=1)
    assert small_box is not None and big_box is not None
    assert big_box.font.size > small_box.font.size
    assert small_box.width <= 400 and small_box.height <= 200
    # One size larger would no longer fit the width or the height.
    bigger = load_font(display, small_box.font.size + 1)
    ascent, descent = bigger.getmetrics()
    assert ink_width("Hello", bigger) > 400 or ascent + descent > 200


def test_text_that_cannot_fit_is_cut_with_an_ellipsis_not_overflowed(display) -> None:
    text = "word " * 200
    fit = fit_text(text, display, (500, 120), max_size=60, min_size=30, max_lines=3)
    assert fit is not None and fit.truncated
    assert fit.lines[-1].endswith(ELLIPSIS)
    assert fit.width <= 500 and fit.height <= 120


def test_a_word_wider_than_the_box_is_broken(display) -> None:
    font = load_font(display, 40)
    lines = wrap("Supercalifragilisticexpialidocious" * 3, font, 300)
    assert len(lines) > 1
    assert all(ink_width(line, font) <= 300 for line in lines)


def test_paragraphs_share_one_size_and_fit_together(display) -> None:
    texts = ["A short one", "A much longer line that will certainly need to wrap somewhere"]
    sets = fit_paragraphs(
        texts, display, (600, 400), max_size=80, min_size=20, max_lines=2, gap=0.5
    )
    assert len({s.font.size for s in sets}) == 1
    gap = round(0.5 * sets[0].font.size)
    assert sum(s.height for s in sets) + gap <= 400
    assert all(s.width <= 600 and len(s.lines) <= 2 for s in sets)


def test_empty_text_sets_nothing(display) -> None:
    assert fit_text("   ", display, (100, 100), max_size=20, min_size=10, max_lines=1) is None


def test_a_brand_face_without_the_ellipsis_keeps_the_text_and_cuts_with_dots(
    tmp_path: Path,
) -> None:
    from fontTools import subset

    brand = tmp_path / "Brand-Bold.ttf"
    face = subset.Subsetter()
    face.populate(text="abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ.")
    font = TTFont(str(find_font("display")))
    face.subset(font)
    font.save(str(brand))
    long = "the quick brown fox jumps over the lazy dog " * 6
    fitted = fit_text(long, brand, (300, 60), max_size=30, min_size=30, max_lines=1)
    assert fitted is not None and fitted.truncated
    assert fitted.font.path == str(brand)  # the brand's face stays: it covers the words
    assert fitted.lines[-1].endswith("...") and ELLIPSIS not in fitted.lines[-1]
