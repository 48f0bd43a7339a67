from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.pictures import draw_face, vivid_picture
from ytempire.models import Script, Thumbnail
from ytempire.quality.brand import dominant_colours
from ytempire.quality.faces import detect_faces, overlap_share
from ytempire.quality.images import measure_thumbnail
from ytempire.visuals.palette import Palette
from ytempire.visuals.slides import render_slides
from ytempire.visuals.thumbnails import (
    BRAND_ART,
    GENERATED,
    GENERATED_LAYOUTS,
    KEY_FRAME,
    MAX_BYTES,
    TEMPLATES,
    Background,
    assign_backgrounds,
    image_prompt,
    load_background,
    make_thumbnails,
    read_text_box,
    title_variations,
)


def _save(image: Image.Image, path: Path) -> Path:
    image.save(path)
    return path


@pytest.fixture
def photo(tmp_path: Path) -> Path:
    """A busy, photo-like 1920x1080 picture: colour blobs plus grain."""
    rng = np.random.default_rng(7)
    blobs = Image.fromarray(rng.integers(0, 256, (9, 16, 3), dtype=np.uint8))
    base = np.asarray(blobs.resize((1920, 1080), Image.Resampling.BICUBIC), dtype=np.float32)
    grain = rng.normal(0, 20, base.shape)
    return _save(
        Image.fromarray(np.clip(base + grain, 0, 255).astype(np.uint8)), tmp_path / "photo.png"
    )


@pytest.fixture
def white(tmp_path: Path) -> Path:
    """The worst case for white text: a white portrait frame."""
    return _save(Image.new("RGB", (1080, 1920), (255, 255, 255)), tmp_path / "white.png")


@pytest.fixture
def noise(tmp_path: Path) -> Path:
    """Pure noise: incompressible, so a truecolour PNG of it exceeds 2 MB."""
    rng = np.random.default_rng(1)
    pixels = rng.integers(0, 256, (720, 1280, 3), dtype=np.uint8)
    return _save(Image.fromarray(pixels), tmp_path / "noise.png")


def _check(thumbs, out_dir: Path) -> None:
    assert [t.path for t in thumbs] == [out_dir / f"variant_{i}.png" for i in (1, 2, 3)]
    assert [t.variant for t in thumbs] == ["variant_1", "variant_2", "variant_3"]
    assert [t.template for t in thumbs] == [t.name for t in TEMPLATES]
    digests = set()
    for thumb, template in zip(thumbs, TEMPLATES, strict=True):
        assert thumb.path.stat().st_size < MAX_BYTES
        with Image.open(thumb.path) as image:
            assert image.size == (1280, 720)
        digests.add(hashlib.sha256(thumb.path.read_bytes()).hexdigest())
        # The text sits inside its template's text area, and the box is recorded in the PNG.
        left, top, right, bottom = template.text_box()
        box = thumb.text_box
        assert box is not None and read_text_box(thumb.path) == box
        assert left <= box[0] < box[2] <= right and top <= box[1] < box[3] <= bottom
        metrics = measure_thumbnail(thumb.path, box)
        assert metrics.text_contrast_ratio is not None
        assert metrics.text_contrast_ratio >= 4.5, (thumb.variant, metrics)
        assert metrics.text_visibility is not None and metrics.text_visibility >= 0.9
    assert len(digests) == 3
    assert len({t.title_text for t in thumbs}) == 3


def test_three_readable_variants_from_slides(script: Script, tmp_path: Path) -> None:
    slides = render_slides(script.blocks(), (1920, 1080), tmp_path / "slides")
    out = tmp_path / "thumbnails"
    thumbs = make_thumbnails(script.title, slides, out)
    _check(thumbs, out)
    assert sorted(p.name for p in out.iterdir()) == [f"variant_{i}.png" for i in (1, 2, 3)]


def test_busy_white_and_noisy_backgrounds_of_any_size(
    photo: Path, white: Path, noise: Path, tmp_path: Path
) -> None:
    out = tmp_path / "thumbnails"
    _check(make_thumbnails("How Black Holes Evaporate", [photo, white, noise], out), out)
    _check(make_thumbnails("How Black Holes Evaporate", [white], out), out)
    _check(make_thumbnails("How Black Holes Evaporate", [noise, noise, photo], out), out)


def test_without_backgrounds_brand_art_is_used(tmp_path: Path) -> None:
    out = tmp_path / "thumbnails"
    _check(make_thumbnails("The surprising history of the printing press", [], out), out)


def test_title_variations_are_short_distinct_and_upper_case() -> None:
    for title in [
        "How Black Holes Evaporate",
        "The Surprising History of the Printing Press and Why It Still Matters Today",
        "Sleep",
        "Why do cats purr? The science explained",
        "10 Python tips: faster code in minutes",
    ]:
        variants = title_variations(title)
        assert len(variants) == 3
        assert len(set(variants)) == 3
        for text in variants:
            assert 1 <= len(text.split()) <= 6
            assert text == text.upper()
        assert title_variations(title) == variants


def test_title_variations_name_the_subject() -> None:
    variants = title_variations("The Surprising History of the Printing Press")
    assert variants[0] == "SURPRISING HISTORY OF THE PRINTING PRESS"
    assert "PRINTING PRESS" in variants[1]
    assert title_variations("How Black Holes Evaporate")[1] == "BLACK HOLES EXPLAINED"
    long = "The Surprising History of the Printing Press and Why It Still Matters Today"
    assert title_variations(long)[0] == "SURPRISING HISTORY OF THE PRINTING PRESS"
    assert title_variations("Why do cats purr? The science")[0] == "WHY DO CATS PURR?"
    assert title_variations("10 Python tips: faster code")[1] == "PYTHON TIPS EXPLAINED"


def test_spanish_variations_open_what_they_exclaim_and_ask() -> None:
    for title in ("Cómo se evaporan los agujeros negros", "¿Cómo se evaporan los agujeros negros?"):
        assert title_variations(title, "es")[1:] == [
            "¡Cómo se evaporan los agujeros negros!",
            "¡¿Cómo se evaporan los agujeros negros?!",
        ]


def test_a_title_without_words_is_an_error() -> None:
    with pytest.raises(ValueError, match="no words"):
        title_variations("?!")


# --- backgrounds: generated pictures, key frames that are pictures or graphics -------------


def _face_clear_of_text(thumb: Thumbnail) -> tuple[int, int, int, int]:
    """The largest face in ``thumb`` (the drawn one), which the text must not cover."""
    found = detect_faces(thumb.path)
    assert found, thumb.variant
    assert thumb.text_box is not None
    assert overlap_share(thumb.text_box, found[:1]) == 0, (thumb.variant, found)
    return found[0]


@pytest.fixture
def generated(tmp_path: Path) -> Path:
    """A DALL·E-sized picture with a face in its left third."""
    path = tmp_path / "generated.png"
    draw_face(vivid_picture(1792, 1024, 5), (220, 260, 720, 760)).save(path)
    return path


def test_generated_pictures_fill_hero_and_split_only(
    script: Script, generated: Path, tmp_path: Path
) -> None:
    slides = render_slides(script.blocks(), (1920, 1080), tmp_path / "slides")
    out = tmp_path / "thumbnails"
    pictures = {layout: generated for layout in GENERATED_LAYOUTS}
    thumbs = make_thumbnails(script.title, slides, out, generated=pictures)
    _check(thumbs, out)
    hero, split, minimal = thumbs
    assert (hero.background, split.background) == (GENERATED, GENERATED)
    assert hero.key_frame is None
    # The minimal layout is Pillow's (seed §2.4); with only slide cards, that is brand art.
    assert minimal.background == BRAND_ART and minimal.key_frame is None
    # The face survives: in the hero, and in the split's narrow left panel.
    _face_clear_of_text(hero)
    assert _face_clear_of_text(split)[2] <= 640


def test_a_generated_picture_for_the_minimal_layout_is_refused(
    generated: Path, tmp_path: Path
) -> None:
    with pytest.raises(ValueError, match="minimal_center"):
        make_thumbnails("Sleep", [], tmp_path, generated={"minimal_center": generated})


def test_graphic_key_frames_are_shown_framed_never_under_the_text(
    script: Script, tmp_path: Path
) -> None:
    # Frames taken from the video carry no card marker: they are recognised as graphics.
    slides = render_slides(script.blocks(), (1920, 1080), tmp_path / "slides")
    frames = []
    for i, slide in enumerate(slides[:3]):
        frames.append(tmp_path / f"frame_{i}.png")
        Image.open(slide).convert("RGB").save(frames[-1])
    assert all(load_background(f).graphic for f in frames)
    out = tmp_path / "thumbnails"
    hero, split, minimal = make_thumbnails(script.title, frames, out)
    assert (hero.background, hero.key_frame) == (BRAND_ART, frames[0])
    assert (split.background, split.key_frame) == (KEY_FRAME, frames[1])
    assert (minimal.background, minimal.key_frame) == (BRAND_ART, None)


def test_picture_key_frames_fill_the_frame_and_come_before_graphics(
    script: Script, photo: Path, tmp_path: Path
) -> None:
    graphic = render_slides(script.blocks()[:1], (1920, 1080), tmp_path / "slides")[0]
    assert not load_background(photo).graphic
    out = tmp_path / "thumbnails"
    # The graphic is listed first (it scored better), but pictures fill frames first.
    hero, split, minimal = make_thumbnails(script.title, [graphic, photo], out)
    assert (hero.background, hero.key_frame) == (KEY_FRAME, photo)
    assert (split.background, split.key_frame) == (KEY_FRAME, graphic)
    assert (minimal.background, minimal.key_frame) == (KEY_FRAME, photo)
    # With generated pictures for hero and split, the minimal layout gets the photo.
    pictures = {layout: photo for layout in GENERATED_LAYOUTS}
    thumbs = make_thumbnails(script.title, [graphic, photo], out, generated=pictures)
    assert thumbs[2].key_frame == photo


def test_a_face_under_the_hero_text_is_moved_out_by_mirroring(tmp_path: Path) -> None:
    # The hero's text area is the lower right (x 50-90%, y 50-80%): put a face there.
    path = tmp_path / "face.png"
    draw_face(vivid_picture(1280, 720, 2), (760, 340, 1060, 640)).save(path)
    assert overlap_share(TEMPLATES[0].text_box(), detect_faces(path)) > 0
    hero = make_thumbnails("How Black Holes Evaporate", [path], tmp_path / "out")[0]
    assert _face_clear_of_text(hero)[2] < 640  # now on the left


def test_assignment_pictures_first_graphics_only_where_they_can_be_shown() -> None:
    def bg(name: str, graphic: bool) -> Background:
        return Background(Image.new("RGB", (16, 9)), graphic=graphic, path=Path(name))

    a, b, c = bg("a", False), bg("b", True), bg("c", False)
    layouts = [t.layout for t in TEMPLATES]  # hero, split, minimal
    assert assign_backgrounds([], layouts) == [None, None, None]
    # The hero takes the best picture, the minimal layout the next, the split the graphic.
    assert assign_backgrounds([b, a, c], layouts) == [a, b, c]
    # The minimal layout cannot show a graphic: it reuses a picture instead.
    assert assign_backgrounds([b, a], layouts) == [a, b, a]
    assert assign_backgrounds([a], layouts) == [a, a, a]
    assert assign_backgrounds([b], layouts) == [b, b, b]
    # Templates with a generated picture choose last.
    assert assign_backgrounds([a, c], layouts, generated=GENERATED_LAYOUTS) == [c, a, a]


def test_image_prompt_asks_for_a_picture_without_text() -> None:
    hero = image_prompt("hero_image_with_text", "How Black Holes Evaporate")
    split = image_prompt("split_screen", "How Black Holes Evaporate")
    for prompt in (hero, split):
        assert '"How Black Holes Evaporate"' in prompt
        assert "No text" in prompt and "#ffb703" in prompt
        assert "excited" in prompt and len(prompt) < 1000
    assert "lower right" in hero and "lower right" not in split
    with pytest.raises(ValueError, match="minimal_center"):
        image_prompt("minimal_center", "Sleep")


def test_only_real_questions_get_a_question_mark() -> None:
    assert title_variations("How Black Holes Evaporate")[0] == "HOW BLACK HOLES EVAPORATE"
    assert title_variations("Why the sky is blue")[0] == "WHY THE SKY IS BLUE"
    assert title_variations("Do cats dream")[0] == "DO CATS DREAM?"
    assert title_variations("How does a black hole evaporate")[0].endswith("?")


def test_brand_art_is_drawn_in_the_given_brand_colours(tmp_path: Path) -> None:
    palette = Palette.from_brand(["#1B5E20", "#FAFAFA"])
    made = make_thumbnails("How black holes evaporate", [], tmp_path, palette=palette)
    for thumb in made:
        with Image.open(thumb.path) as image:
            share, colour = dominant_colours(image)[0]
        # The largest colour field is the brand's green (or a shade of it), not the default navy.
        r, g, b = colour
        assert g > r + 20 and g > b + 20, (thumb.template, colour, share)
