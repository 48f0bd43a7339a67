"""A brand as the visuals use it: contrast corrected and recorded, faces, logo, captions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytempire.fonts import FontNotFoundError, bundled_fonts_dir
from ytempire.media.subtitles import style_fields
from ytempire.models import Script, VideoJob
from ytempire.visuals.brand import (
    Faces,
    brand_of,
    caption_style,
    correct_contrast,
    find_face,
)
from ytempire.visuals.palette import (
    DEFAULT_PALETTE,
    MIN_TEXT_CONTRAST,
    Palette,
    contrast_ratio,
)
from ytempire.visuals.presets import PRESETS
from ytempire.visuals.slides import render_slide


def _readable(palette: Palette) -> bool:
    backgrounds = (palette.background_top, palette.background_bottom)
    return all(
        contrast_ratio(colour, bg) >= MIN_TEXT_CONTRAST
        for colour in (palette.text, palette.muted_text)
        for bg in backgrounds
    )


def test_a_low_contrast_palette_is_corrected_and_the_correction_recorded() -> None:
    grey = Palette.from_brand(["#777777", "#fafafa", "#888888"])
    assert not _readable(grey)
    fixed, notes = correct_contrast(grey)
    assert _readable(fixed)
    assert fixed.text == (0, 0, 0)  # black reads on mid grey; #888888 did not (1.2:1)
    assert fixed.accent == grey.accent and fixed.background_top == grey.background_top
    assert any("brand text #888888" in n and "below WCAG AA 4.5:1" in n for n in notes)
    assert all("\n" not in n for n in notes)


def test_a_gradient_no_text_colour_can_read_on_moves_away_from_the_text() -> None:
    # Mid grey to near black: white fails on the grey, black on the black.
    split = Palette.from_brand(["#808080", "#fafafa", "#888888", "#111111"])
    fixed, notes = correct_contrast(split)
    assert _readable(fixed)
    assert any("cannot carry" in n for n in notes)


def test_the_derived_muted_text_of_a_green_brand_is_lifted_to_aa() -> None:
    green = Palette.from_brand(["#1B5E20", "#FAFAFA"])  # the money-basics channel
    fixed, notes = correct_contrast(green)
    assert contrast_ratio(green.muted_text, green.background_bottom) < MIN_TEXT_CONTRAST
    assert _readable(fixed) and fixed.text == green.text
    assert [n.split(" is ")[0] for n in notes] == ["brand muted text #c6d7c7"]


def test_readable_palettes_are_left_alone() -> None:
    assert correct_contrast(DEFAULT_PALETTE) == (DEFAULT_PALETTE, [])
    cyan = Palette.from_brand(["#111111", "#00E5FF"])
    assert correct_contrast(cyan) == (cyan, [])


def test_a_corrected_brand_draws_its_cards_readable(script: Script) -> None:
    brand = brand_of(VideoJob(brand_colours=("#777777", "#fafafa", "#888888")))
    assert brand.notes
    card = np.asarray(render_slide(script.blocks()[1], (640, 360), palette=brand.palette))
    # The heading is set in the corrected black.
    assert (card.reshape(-1, 3) == (0, 0, 0)).all(axis=1).sum() > 200


def test_named_faces_come_from_the_fonts_folder_then_the_bundled_ones(tmp_path: Path) -> None:
    bundled = bundled_fonts_dir()
    assert bundled is not None
    assert find_face("roboto-light.ttf") == bundled / "Roboto-Light.ttf"
    mine = tmp_path / "fonts"
    mine.mkdir()
    (mine / "Roboto-Light.ttf").write_bytes((bundled / "Roboto-Thin.ttf").read_bytes())
    assert find_face("Roboto-Light", mine) == mine / "Roboto-Light.ttf"
    job = VideoJob(heading_font="Roboto-Bold", body_font="Roboto-Light")
    assert brand_of(job, mine).faces == Faces(
        bundled / "Roboto-Bold.ttf", mine / "Roboto-Light.ttf"
    )
    assert brand_of(VideoJob()).faces is None
    with pytest.raises(FontNotFoundError, match="font 'Comic' not found in") as caught:
        brand_of(VideoJob(heading_font="Comic"))
    assert "\n" not in str(caught.value)


def test_a_logo_that_cannot_be_read_is_left_out_with_a_note(tmp_path: Path) -> None:
    broken = tmp_path / "logo.png"
    broken.write_bytes(b"not a png")
    brand = brand_of(VideoJob(logo=broken))
    assert brand.logo is None
    (note,) = brand.notes
    assert note.startswith(f"logo {broken} left out: not a readable picture (cannot identify")
    good = tmp_path / "good.png"
    Image.new("RGBA", (10, 10), (255, 0, 0, 128)).save(good)
    assert brand_of(VideoJob(logo=good, logo_opacity=0.3)).logo == good


def test_captions_take_the_brand_colours_face_and_the_presets_shape() -> None:
    assert caption_style(brand_of(VideoJob()), None) == ""
    gadgets = brand_of(VideoJob(brand_colours=("#111111", "#00E5FF"), body_font="Roboto-Medium"))
    style = caption_style(gadgets, PRESETS["fast-cuts"])
    fields = style_fields(style, (1920, 1080))
    assert fields["SecondaryColour"] == "&H00FFFFFF"  # the brand's white text
    assert fields["PrimaryColour"] == "&H00FFE500"  # a spoken word: its cyan accent
    assert fields["OutlineColour"] == "&H40111111"  # on its black, a quarter see-through
    assert fields["Fontname"] == "Roboto Medium"
    assert (fields["Bold"], fields["BorderStyle"], fields["Fontsize"]) == ("1", "1", "60")
    money = brand_of(VideoJob(brand_colours=("#1B5E20", "#FAFAFA")))
    fields = style_fields(caption_style(money, PRESETS["data-story"]), (1920, 1080))
    assert fields["OutlineColour"] == "&H40205E1B"  # green box (ASS writes blue, green, red)
    assert fields["Fontname"] == "Roboto Medium"  # the stock face: none named
