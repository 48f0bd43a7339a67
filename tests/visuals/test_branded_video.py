"""Two channels' videos, rendered for real (10 s at 640x360) and decoded: each looks like its
brand, the logo sits in its corner at its opacity, the intro and end screen show, and the
end screen's slots stay clear."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.visuals.conftest import decoded_frames, make_script, narration_for
from ytempire.media.render import RenderOptions, render_timeline
from ytempire.models import Timeline, VideoJob
from ytempire.visuals import marks
from ytempire.visuals.brand import Brand, brand_of, caption_style
from ytempire.visuals.palette import RGB
from ytempire.visuals.presets import preset_named
from ytempire.visuals.slides import background, render_slides
from ytempire.visuals.timeline import from_script

SIZE = (640, 360)
SECONDS = 10.0
GADGETS = ("#111111", "#00E5FF")  # black and cyan
MONEY = ("#1B5E20", "#FAFAFA")  # green and white
LOGO_RED: RGB = (255, 0, 0)
OPACITY = 0.5


@dataclass
class Made:
    brand: Brand
    timeline: Timeline
    video: Path
    slides: list[Path]


def _make(job: VideoJob, folder: Path, intro_s: float = 0.0) -> Made:
    """What the visuals and render stages make of ``job`` (tasks/visuals.py, tasks/render.py)."""
    folder.mkdir(parents=True)
    script = make_script(folder)
    brand = brand_of(job)
    preset = preset_named(job.style_preset) if job.style_preset else None
    slides = render_slides(
        script.blocks(), SIZE, folder / "slides", palette=brand.palette, faces=brand.fonts()
    )
    narration = narration_for(script, SECONDS, folder)
    timeline = from_script(script, narration, SIZE, slides, preset=preset)
    timeline = marks.add(
        timeline, brand, folder / "brand", intro_s=intro_s, end_s=job.end_screen_s
    ).model_copy(update={"subtitle_style": caption_style(brand, preset)})
    video = render_timeline(
        timeline,
        folder / "video.mp4",
        work_dir=folder / "work",
        options=RenderOptions(encoder="libx264"),
    ).path
    return Made(brand, timeline, video, slides)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("branded")


@pytest.fixture(scope="module")
def logo(folder: Path) -> Path:
    """A red square, opaque, on a transparent margin."""
    image = Image.new("RGBA", (240, 240), (0, 0, 0, 0))
    image.paste(Image.new("RGBA", (200, 200), (*LOGO_RED, 255)), (20, 20))
    path = folder / "logo.png"
    image.save(path)
    return path


@pytest.fixture(scope="module")
def gadgets(folder: Path) -> Made:
    job = VideoJob(channel="future-gadgets", brand_colours=GADGETS, style_preset="fast-cuts")
    return _make(job, folder / "gadgets")


@pytest.fixture(scope="module")
def money(folder: Path, logo: Path) -> Made:
    job = VideoJob(
        channel="money-basics",
        brand_colours=MONEY,
        style_preset="data-story",
        logo=logo,
        logo_opacity=OPACITY,
        intro=True,
        end_screen_s=5,
    )
    return _make(job, folder / "money", intro_s=2.5)


def dominant(frame: np.ndarray) -> np.ndarray:
    """The mean colour of the most common colour bin (32 levels a channel) of ``frame``."""
    bins = (frame // 32).reshape(-1, 3)
    keys = bins[:, 0].astype(np.int32) * 64 + bins[:, 1] * 8 + bins[:, 2]
    top = np.bincount(keys).argmax()
    return frame.reshape(-1, 3)[keys == top].mean(axis=0)


def share_near(frame: np.ndarray, colour: RGB, within: float = 40) -> float:
    """The share of ``frame``'s pixels within ``within`` (RGB distance) of ``colour``."""
    distance = np.linalg.norm(frame.astype(np.float32) - np.array(colour, np.float32), axis=-1)
    return float((distance < within).mean())


def test_each_channels_frames_take_the_colours_of_its_palette(gadgets: Made, money: Made) -> None:
    # 4.2 s: a section card in both videos (after money's intro, before its end screen).
    (g,) = decoded_frames(gadgets.video, [4.2])
    (m,) = decoded_frames(money.video, [4.2])
    backgrounds = {
        "gadgets": [gadgets.brand.palette.background_top, gadgets.brand.palette.background_bottom],
        "money": [money.brand.palette.background_top, money.brand.palette.background_bottom],
    }

    def nearest(colour: np.ndarray, name: str) -> float:
        """How far ``colour`` is from the brand's gradient (the line from one end to the other)."""
        top, bottom = (np.array(c, np.float64) for c in backgrounds[name])
        along = np.clip(
            np.dot(colour - top, bottom - top) / np.dot(bottom - top, bottom - top), 0, 1
        )
        return float(np.linalg.norm(colour - (top + along * (bottom - top))))

    # Each frame's dominant colour is its own brand's background, far from the other's.
    for frame, own, other in ((g, "gadgets", "money"), (m, "money", "gadgets")):
        colour = dominant(frame)
        assert nearest(colour, own) < 20 and nearest(colour, other) > nearest(colour, own) + 30
    # Black-and-cyan: nearly black, with cyan marks (the progress bar, the rule, bullets).
    assert dominant(g).max() < 60
    assert share_near(g, (0, 229, 255)) > 0.0005
    assert share_near(m, (0, 229, 255)) == 0
    # Green-and-white: green dominates.
    r, green, b = dominant(m)
    assert green > r + 25 and green > b + 25
    assert share_near(g, money.brand.palette.background_top) == 0


def test_the_logo_sits_in_the_top_right_corner_at_its_opacity(money: Made) -> None:
    (frame,) = decoded_frames(money.video, [4.2])
    _, top, right, bottom = marks.logo_box(SIZE)
    side = bottom - top  # the square logo: as tall as the box, at its right edge
    x0, y0 = right - side, top
    cx, cy = x0 + side // 2, y0 + side // 2
    patch = frame[cy - 4 : cy + 4, cx - 4 : cx + 4].reshape(-1, 3).mean(axis=0)
    # What was under it: the card shown then (block 2's, from 3.3 s to the end screen).
    under = np.asarray(Image.open(money.slides[2]).convert("RGB"), np.float32)
    card = under[cy - 4 : cy + 4, cx - 4 : cx + 4].reshape(-1, 3).mean(axis=0)
    expected = card * (1 - OPACITY) + np.array(LOGO_RED) * OPACITY
    assert np.abs(patch - expected).max() < 16, (patch, expected)
    # Opaque it would be red; absent it would be the card: it is half way.
    assert np.abs(patch - np.array(LOGO_RED)).max() > 60
    assert np.abs(patch - card).max() > 60
    # Outside the logo box the frame is the card itself.
    outside = frame[cy - 4 : cy + 4, x0 - 40 : x0 - 32].reshape(-1, 3).mean(axis=0)
    beside = under[cy - 4 : cy + 4, x0 - 40 : x0 - 32].reshape(-1, 3).mean(axis=0)
    assert np.abs(outside - beside).max() < 8


def test_the_intro_opens_and_the_end_screen_closes_with_its_slots_clear(money: Made) -> None:
    intro_frame, end_frame = decoded_frames(money.video, [1.0, 9.6])
    folder = money.video.parent / "brand"
    intro = np.asarray(Image.open(folder / "intro.png").convert("RGB"), np.float32)
    end = np.asarray(Image.open(folder / "end_screen.png").convert("RGB"), np.float32)
    # The burned caption sits at the bottom; compare above it.
    above = round(SIZE[1] * 0.82)
    assert np.abs(intro_frame[:above] - intro[:above]).mean() < 4
    assert np.abs(end_frame[:above] - end[:above]).mean() < 4
    bare = np.asarray(background(SIZE, money.brand.palette), np.float32)
    ys, xs = np.mgrid[0 : SIZE[1], 0 : SIZE[0]]
    for name, (x0, y0, x1, y1) in marks.end_screen_slots(SIZE).items():
        assert y1 < above, name
        inside = (xs > x0 + 1) & (xs < x1 - 2) & (ys > y0 + 1) & (ys < y1 - 2)
        if name == "subscribe":  # a circle in that square
            r = (x1 - x0) / 2 - 2
            inside &= (xs - (x0 + x1) / 2) ** 2 + (ys - (y0 + y1) / 2) ** 2 < r * r
        region = end_frame[inside].astype(np.float32)
        # Nothing in the slot but the background (up to compression), and no logo over it.
        assert np.abs(region - bare[inside]).max() < 20, name
        assert share_near(region.astype(np.uint8), LOGO_RED, 120) == 0, name
    segments = money.timeline.shown()
    assert (segments[0].label, segments[0].start, segments[0].end) == ("intro", 0.0, 2.5)
    assert (segments[-1].label, segments[-1].start) == ("end_screen", 5.0)
    assert not segments[0].overlays and not segments[-1].overlays
    assert all(o.kind == "logo" for s in segments[1:-1] for o in s.overlays)
