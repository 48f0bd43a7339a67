from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from tests.pictures import draw_face
from ytempire.fonts import find_font, load_font
from ytempire.quality.images import (
    duration_stamp,
    measure_thumbnail,
    otsu_threshold,
    text_contrast,
    text_visibility,
)
from ytempire.visuals.thumbnails import TEXT_BOX_KEY


def _striped(path: Path, ink: tuple[int, int, int], paper: tuple[int, int, int]) -> Path:
    """A 1280x720 image whose box (100, 100, 500, 300) holds 'letters': stripes of ink."""
    image = Image.new("RGB", (1280, 720), (128, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rectangle((100, 100, 499, 299), fill=paper)
    for x in range(120, 480, 30):
        draw.rectangle((x, 130, x + 9, 270), fill=ink)
    image.save(path)
    return path


def test_black_on_white_text_measures_21(tmp_path: Path) -> None:
    path = _striped(tmp_path / "a.png", (0, 0, 0), (255, 255, 255))
    metrics = measure_thumbnail(path, (100, 100, 500, 300))
    assert metrics.text_contrast_ratio == pytest.approx(21.0, abs=0.01)
    assert (metrics.width, metrics.height) == (1280, 720)
    assert metrics.size_bytes == path.stat().st_size
    assert metrics.text_box == (100, 100, 500, 300)


def test_low_contrast_text_is_measured_low(tmp_path: Path) -> None:
    path = _striped(tmp_path / "b.png", (120, 120, 120), (150, 150, 150))
    ratio = measure_thumbnail(path, (100, 100, 500, 300)).text_contrast_ratio
    assert ratio is not None and 1.2 < ratio < 1.6


def test_a_flat_box_has_no_measurable_text(tmp_path: Path) -> None:
    path = _striped(tmp_path / "c.png", (0, 0, 0), (255, 255, 255))
    assert measure_thumbnail(path, (520, 400, 900, 600)).text_contrast_ratio is None
    assert measure_thumbnail(path).text_contrast_ratio is None


def test_the_box_recorded_in_the_png_is_used_and_clipped(tmp_path: Path) -> None:
    image = Image.open(_striped(tmp_path / "d.png", (255, 255, 255), (0, 0, 40)))
    info = PngInfo()
    info.add_text(TEXT_BOX_KEY, "100,100,500,300")
    image.save(tmp_path / "e.png", pnginfo=info)
    assert measure_thumbnail(tmp_path / "e.png").text_contrast_ratio > 15
    clipped = measure_thumbnail(tmp_path / "e.png", (-50, -50, 5000, 5000)).text_box
    assert clipped == (0, 0, 1280, 720)


def test_tone_and_colour_metrics(tmp_path: Path) -> None:
    Image.new("RGB", (64, 36), (255, 255, 255)).save(tmp_path / "white.png")
    Image.new("RGB", (64, 36), (255, 0, 0)).save(tmp_path / "red.png")
    white = measure_thumbnail(tmp_path / "white.png")
    red = measure_thumbnail(tmp_path / "red.png")
    assert white.mean_luminance == pytest.approx(1.0)
    assert white.rms_contrast == 0 and white.saturation == 0
    assert red.saturation == pytest.approx(1.0)
    assert red.mean_luminance == pytest.approx(0.2126, abs=1e-3)
    half = np.zeros((36, 64, 3), np.uint8)
    half[:, 32:] = 255
    Image.fromarray(half).save(tmp_path / "half.png")
    assert measure_thumbnail(tmp_path / "half.png").rms_contrast == pytest.approx(0.5)


def test_otsu_splits_two_populations() -> None:
    values = np.array([10] * 50 + [200] * 50, np.uint8)
    assert 10 <= otsu_threshold(values) < 200
    assert text_contrast(np.zeros((0, 0, 3), np.uint8)) is None


def _text_image(path: Path, box: tuple[int, int, int, int], size: int, text: str) -> Path:
    """White ``text`` at ``size`` px in ``box`` on a dark blue 1280x720 image."""
    image = Image.new("RGB", (1280, 720), (20, 30, 90))
    font = load_font(find_font("display"), size)
    ImageDraw.Draw(image).text((box[0] + 6, box[1] + 6), text, fill=(255, 255, 255), font=font)
    image.save(path)
    return path


def test_large_text_stays_visible_at_listing_size(tmp_path: Path) -> None:
    box = (600, 360, 1150, 560)
    m = measure_thumbnail(_text_image(tmp_path / "big.png", box, 110, "BIG"), box)
    assert m.text_visibility == 1.0
    assert m.text_area_share == pytest.approx(550 * 200 / (1280 * 720), abs=1e-4)


def test_tiny_text_fades_at_listing_size(tmp_path: Path) -> None:
    # 14 px letters are fine at full size but a blur at 320x180, YouTube's listing size.
    box = (600, 360, 1150, 420)
    path = _text_image(tmp_path / "tiny.png", box, 14, "small print that nobody can read")
    m = measure_thumbnail(path, box)
    assert m.text_contrast_ratio is not None and m.text_contrast_ratio >= 4.5
    assert m.text_visibility is not None and m.text_visibility < 0.9


def test_text_under_the_duration_stamp_is_not_visible(tmp_path: Path) -> None:
    # The lower right corner is where YouTube prints the video's length.
    box = (1000, 560, 1280, 720)
    m = measure_thumbnail(_text_image(tmp_path / "corner.png", box, 110, "NOW"), box)
    assert m.text_contrast_ratio is not None and m.text_contrast_ratio >= 4.5
    assert m.text_visibility is not None and m.text_visibility < 0.9
    assert duration_stamp(1280, 720) == (1101, 630, 1280, 720)


def test_faces_are_counted_and_sized(tmp_path: Path) -> None:
    image = draw_face(Image.new("RGB", (1280, 720), (20, 30, 90)), (100, 100, 460, 460))
    image.save(tmp_path / "face.png")
    m = measure_thumbnail(tmp_path / "face.png")
    assert m.faces == 1
    assert 0.1 < m.face_share < 0.2  # about 360x360 of 1280x720
    assert m.text_visibility is None and m.text_area_share is None
    # A face under the text box hides part of it.
    box = (200, 200, 700, 400)
    assert text_visibility(image, box, 21.0, [(100, 100, 460, 460)]) < 0.9
