from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytempire import fonts
from ytempire.fonts import FontNotFoundError
from ytempire.models import Script, ScriptBlock
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette
from ytempire.visuals.slides import CARD_KEY, background, key_lines, render_slides

LANDSCAPE = (1920, 1080)
PORTRAIT = (1080, 1920)


def _outer_margin(image: np.ndarray, fraction: float) -> np.ndarray:
    """A mask of the band of width ``fraction`` of the short side around the frame."""
    h, w = image.shape[:2]
    m = round(min(w, h) * fraction)
    mask = np.ones((h, w), bool)
    mask[m : h - m, m : w - m] = False
    return mask


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
def test_one_card_per_block_at_exactly_the_frame_size(
    script: Script, tmp_path: Path, size: tuple[int, int]
) -> None:
    blocks = script.blocks()
    paths = render_slides(blocks, size, tmp_path / "slides")
    assert [p.name for p in paths] == [f"slide_{i:02d}.png" for i in range(len(blocks))]
    # Atomic writes leave no temporary files behind.
    assert sorted(p.name for p in (tmp_path / "slides").iterdir()) == [p.name for p in paths]
    bare = np.asarray(background(size))
    for path, block in zip(paths, blocks, strict=True):
        with Image.open(path) as image:
            assert image.size == size
            assert image.mode == "RGB"
            assert image.text[CARD_KEY] == block.kind
            pixels = np.asarray(image)
        # Something was drawn, and nothing at all in the outer margin.
        assert (pixels != bare).any(axis=2).mean() > 0.005
        margin = _outer_margin(pixels, 0.05)
        assert np.array_equal(pixels[margin], bare[margin])


@pytest.mark.parametrize("size", [LANDSCAPE, PORTRAIT])
def test_absurd_text_still_stays_inside_the_margins(tmp_path: Path, size: tuple[int, int]) -> None:
    giant = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
    long_text = " ".join(["An extraordinarily verbose sentence that never ends"] * 12) + "."
    blocks = [
        ScriptBlock(kind="hook", heading=f"{giant} {giant}", text=long_text),
        ScriptBlock(kind="section", heading=" ".join([giant] * 5), text=long_text * 3),
        ScriptBlock(kind="summary", heading="In short", text=f"{giant}. {giant}. {giant}."),
        ScriptBlock(kind="cta", heading="Subscribe", text=long_text),
    ]
    paths = render_slides(blocks, size, tmp_path, workers=1)
    bare = np.asarray(background(size))
    for path in paths:
        pixels = np.asarray(Image.open(path))
        margin = _outer_margin(pixels, 0.05)
        assert np.array_equal(pixels[margin], bare[margin]), path.name


def test_a_brand_palette_is_used(script: Script, tmp_path: Path) -> None:
    palette = Palette(background_top="#400000", background_bottom="#600010", accent="#00e0ff")
    path = render_slides(script.blocks()[:1], LANDSCAPE, tmp_path, palette=palette)[0]
    pixels = np.asarray(Image.open(path))
    assert tuple(pixels[5, 5]) == pytest.approx(palette.background_top, abs=3)
    accent = np.all(np.abs(pixels.astype(int) - palette.accent) <= 2, axis=2)
    assert accent.sum() > 500  # the accent bar and the progress bar


def test_threads_and_no_threads_draw_the_same_pixels(script: Script, tmp_path: Path) -> None:
    one = render_slides(script.blocks(), LANDSCAPE, tmp_path / "a", workers=1)
    two = render_slides(script.blocks(), LANDSCAPE, tmp_path / "b", workers=2)
    for a, b in zip(one, two, strict=True):
        assert np.array_equal(np.asarray(Image.open(a)), np.asarray(Image.open(b)))


def test_a_missing_font_fails_before_any_file_is_written(
    script: Script, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fonts, "bundled_fonts_dir", lambda: tmp_path / "missing")
    with pytest.raises(FontNotFoundError):
        render_slides(script.blocks(), LANDSCAPE, tmp_path / "slides")
    assert not (tmp_path / "slides").exists()


def test_no_blocks_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_slides([], LANDSCAPE, tmp_path)


def test_key_lines_are_short_sampled_across_the_text_and_without_fillers() -> None:
    text = (
        "So, the first idea matters. Then a second point follows here. A third one sits in "
        "the middle. A fourth one comes next. And finally the last idea closes it."
    )
    lines = key_lines(text, count=3)
    assert lines == [
        "The first idea matters",
        "A third one sits in the middle",
        "Finally the last idea closes it",
    ]


def test_long_sentences_keep_their_point() -> None:
    text = (
        "For a black hole with the mass of our Sun, evaporation takes about ten to the power "
        "of sixty-seven years."
    )
    assert key_lines(text, count=1) == [
        "Evaporation takes about ten to the power of sixty-seven years"
    ]
    rambling = " ".join(["word"] * 30) + "."
    (line,) = key_lines(rambling, count=1, max_words=10)
    assert line.endswith("…") and len(line.split()) <= 10


def test_key_lines_of_nothing_is_empty() -> None:
    assert key_lines("") == []
    assert key_lines("One sentence.", count=0) == []


def test_the_default_palette_background_is_cached_but_returned_fresh() -> None:
    a, b = background((320, 180)), background((320, 180), DEFAULT_PALETTE)
    a.putpixel((0, 0), (1, 2, 3))
    assert b.getpixel((0, 0)) != (1, 2, 3)
