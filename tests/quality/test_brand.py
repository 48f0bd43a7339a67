"""Brand consistency of real pictures against a palette."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw

from tests.pictures import vivid_picture
from ytempire.quality.brand import brand_consistency, dominant_colours, to_lab
from ytempire.visuals import thumbnails
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette

RED_BRAND = Palette(background_top="#5a0000", background_bottom="#a01010", accent="#00c060")


def test_lab_of_known_colours() -> None:
    lab = to_lab(np.array([[255, 255, 255], [0, 0, 0], [255, 0, 0]]))
    assert lab[0] == pytest.approx([100, 0, 0], abs=0.01)
    assert lab[1] == pytest.approx([0, 0, 0], abs=0.01)
    assert lab[2] == pytest.approx([53.24, 80.09, 67.20], abs=0.05)


def test_dominant_colours_are_shares_of_the_picture(tmp_path: Path) -> None:
    image = Image.new("RGB", (1280, 720), (200, 30, 30))
    ImageDraw.Draw(image).rectangle((0, 0, 319, 719), fill=(20, 20, 200))
    found = dominant_colours(image)
    assert sum(share for share, _ in found) == pytest.approx(1.0)
    assert found[0][0] == pytest.approx(0.75, abs=0.02) and found[0][1][0] > 150


def test_brand_art_is_on_brand_and_a_vivid_photo_is_not(tmp_path: Path) -> None:
    made = thumbnails.make_thumbnails("How black holes evaporate", [], tmp_path)
    scores = [brand_consistency(t.path, DEFAULT_PALETTE) for t in made]
    assert min(scores) >= 0.85, scores
    vivid_picture(1280, 720, seed=1).save(tmp_path / "vivid.png")
    assert brand_consistency(tmp_path / "vivid.png", DEFAULT_PALETTE) < 0.3


def test_the_score_depends_on_the_palette(tmp_path: Path) -> None:
    image = Image.new("RGB", (1280, 720), RED_BRAND.background_bottom)
    ImageDraw.Draw(image).rectangle((100, 500, 1180, 620), fill=RED_BRAND.accent)
    image.save(tmp_path / "red.png")
    assert brand_consistency(tmp_path / "red.png", RED_BRAND) > 0.95
    assert brand_consistency(tmp_path / "red.png", DEFAULT_PALETTE) < 0.2


@pytest.mark.slow
@pytest.mark.parametrize(
    "colours", [("#0B1D3A", "#F2C14E", "#FFFFFF"), ("#111111", "#00E5FF"), ("#1B5E20", "#FAFAFA")]
)
def test_thumbnails_on_generated_pictures_keep_to_the_brand(
    tmp_path: Path, colours: tuple[str, ...]
) -> None:
    palette = Palette.from_brand(colours)
    vivid = tmp_path / "generated.png"
    vivid_picture(1792, 1024, seed=2).save(vivid)
    made = thumbnails.make_thumbnails(
        "How black holes evaporate",
        [],
        tmp_path / "out",
        palette=palette,
        generated={layout: vivid for layout in thumbnails.GENERATED_LAYOUTS},
    )
    on_generated = [t for t in made if t.background == thumbnails.GENERATED]
    assert len(on_generated) == 2
    for thumb in on_generated:
        assert brand_consistency(thumb.path, palette) >= 0.8, thumb.template
    # The same picture under the same overlays, without the brand's grading, is off-brand.
    with Image.open(made[0].path) as drawn:
        ungraded = Image.open(vivid).convert("RGB").resize(drawn.size)
        box = made[0].text_box
        ungraded.paste(drawn.crop(box), box[:2])
    ungraded.save(tmp_path / "ungraded.png")
    assert brand_consistency(tmp_path / "ungraded.png", palette) < 0.5
