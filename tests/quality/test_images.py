from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw
from PIL.PngImagePlugin import PngInfo

from ytempire.quality.images import measure_thumbnail, otsu_threshold, text_contrast
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
