"""Lower thirds and text overlays: transparent frames with a readable panel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytempire.media.subtitles import safe_margins
from ytempire.models import ScriptBlock
from ytempire.visuals.overlays import lower_third, text_overlay
from ytempire.visuals.palette import DEFAULT_PALETTE
from ytempire.visuals.slides import background, render_slide


def _alpha_box(path: Path) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    with Image.open(path) as image:
        assert image.mode == "RGBA"
        pixels = np.asarray(image)
    box = Image.fromarray(pixels[:, :, 3]).getbbox()
    assert box is not None
    return pixels, box


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_lower_third_sits_left_above_the_subtitles(size: tuple[int, int], tmp_path: Path) -> None:
    width, height = size
    path = lower_third("Hawking radiation", size, tmp_path / "third.png", label="What is it?")
    pixels, (left, top, right, bottom) = _alpha_box(path)
    assert pixels.shape[:2] == (height, width)
    assert left < width * 0.1 and right < width * 0.95
    # Below the middle, clear of the bottom fifth (where subtitles are burned in).
    assert top > height / 2 and bottom <= round(height * 0.80) + 1
    panel = pixels[top:bottom, left:right]
    white = (panel[:, :, :3].min(axis=2) > 240) & (panel[:, :, 3] == 255)
    accent = np.all(panel[:, :, :3] == DEFAULT_PALETTE.accent, axis=2)
    assert white.sum() > 500  # the text
    assert accent.sum() > 500  # the stripe and the label
    assert pixels[: height // 2, :, 3].max() == 0  # nothing elsewhere


def test_without_a_label_the_panel_is_lower(tmp_path: Path) -> None:
    _, with_label = _alpha_box(lower_third("Words", (1920, 1080), tmp_path / "a.png", label="L"))
    _, without = _alpha_box(lower_third("Words", (1920, 1080), tmp_path / "b.png"))
    assert without[3] == with_label[3] and without[1] > with_label[1]


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_a_text_overlay_keeps_clear_of_a_cards_kicker_and_heading(
    tmp_path: Path, size: tuple[int, int]
) -> None:
    # The demo once showed "The event horizon" over the heading "How the event horizon works".
    block = ScriptBlock(
        kind="section",
        heading="How the event horizon works",
        text="That is the puzzle. How does it actually work? The horizon is one of the parts.",
    )
    card = np.asarray(render_slide(block, size), np.int16)
    drawn = np.abs(card - np.asarray(background(size, DEFAULT_PALETTE), np.int16)).max(axis=2) > 40
    pixels, (left, top, right, bottom) = _alpha_box(
        text_overlay("The event horizon", size, tmp_path / "o.png")
    )
    assert abs(right - (size[0] - safe_margins(size)[1])) <= 1  # in the top right corner
    assert not drawn[top:bottom, left:right].any()
    assert ((pixels[:, :, :3].min(axis=2) > 240) & (pixels[:, :, 3] == 255)).sum() > 500


def test_an_empty_text_overlay_is_fully_transparent(tmp_path: Path) -> None:
    path = text_overlay("", (640, 360), tmp_path / "o.png")
    with Image.open(path) as image:
        assert image.size == (640, 360) and image.getchannel("A").getbbox() is None
