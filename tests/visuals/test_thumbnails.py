from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytempire.models import Script
from ytempire.quality.images import measure_thumbnail
from ytempire.visuals.slides import render_slides
from ytempire.visuals.thumbnails import (
    MAX_BYTES,
    TEMPLATES,
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


def test_a_title_without_words_is_an_error() -> None:
    with pytest.raises(ValueError, match="no words"):
        title_variations("?!")
