"""Channel marks as pictures and on the timeline: slots kept clear, the intro and end screen
in place, the watermark over the rest."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from ytempire.models import Segment, Slide, Timeline
from ytempire.visuals import marks
from ytempire.visuals.brand import Brand
from ytempire.visuals.palette import Palette
from ytempire.visuals.slides import background

BRAND = Brand(palette=Palette.from_brand(["#111111", "#00E5FF"]), name="Future Gadgets")


@pytest.mark.parametrize("size", [(1920, 1080), (1080, 1920)])
def test_the_end_screen_draws_nothing_in_or_right_around_its_slots(
    size: tuple[int, int], tmp_path: Path
) -> None:
    drawn = np.asarray(Image.open(marks.end_screen(BRAND, size, tmp_path / "end.png")))
    bare = np.asarray(background(size, BRAND.palette))
    assert (drawn != bare).any()  # it does draw: the message, the name, the frames
    clear = round(min(size) * marks.SLOT_CLEARANCE) - 1
    slots = marks.end_screen_slots(size)
    for name, (x0, y0, x1, y1) in slots.items():
        assert 0 <= x0 < x1 <= size[0] and 0 <= y0 < y1 <= size[1]
        # Clear of the burned captions: two lines of fast-cuts' 60 px with their margin.
        assert y1 <= size[1] - 250 * min(size) / 1080, name
        if name == "subscribe":
            ys, xs = np.mgrid[y0:y1, x0:x1]
            r = (x1 - x0) / 2 + clear
            inside = (xs - (x0 + x1) / 2) ** 2 + (ys - (y0 + y1) / 2) ** 2 < r * r
            assert (drawn[y0:y1, x0:x1][inside] == bare[y0:y1, x0:x1][inside]).all(), name
        else:
            box = (slice(y0 - clear, y1 + clear), slice(x0 - clear, x1 + clear))
            assert (drawn[box] == bare[box]).all(), name
    video_1, video_2 = slots["video_1"], slots["video_2"]
    assert video_1[3] < video_2[1]  # two slots, one above the other
    for x0, y0, x1, y1 in (video_1, video_2):
        assert (x1 - x0) * 9 == pytest.approx((y1 - y0) * 16, abs=16)  # 16:9


def _timeline(tmp_path: Path, seconds: float) -> Timeline:
    step = seconds / 4
    segments = [
        Segment(kind="still", path=tmp_path / f"s{i}.png", start=i * step, end=(i + 1) * step)
        for i in range(4)
    ]
    return Timeline(
        engine="test",
        width=640,
        height=360,
        duration_s=seconds,
        slides=[Slide(image_path=tmp_path / "s0.png", start=0, end=seconds, kind="hook")],
        audio_path=tmp_path / "a.wav",
        segments=segments,
    )


def test_place_covers_the_start_and_end_and_marks_the_rest(tmp_path: Path) -> None:
    tl = marks.place(
        _timeline(tmp_path, 40.0),
        intro=tmp_path / "intro.png",
        intro_s=3.0,
        end=tmp_path / "end.png",
        end_s=12.0,
        watermark=tmp_path / "wm.png",
    )
    shown = tl.shown()
    assert [s.label for s in shown] == ["intro", "", "", "", "end_screen"]
    assert (shown[0].start, shown[0].end) == (0.0, 3.0)
    assert shown[1].start == 3.0 and shown[1].transition is not None
    assert shown[-1].start == 28.0 and shown[-1].end == 40.0
    assert [s.start for s in shown[1:-1]] == [3.0, 10.0, 20.0]  # 30 s: under the end screen
    for segment in shown[1:-1]:
        (logo,) = segment.overlays
        assert logo.kind == "logo" and logo.start <= segment.start
    assert tl.notes == []


def test_a_short_video_keeps_its_end_and_gives_the_intro_a_quarter_at_most(
    tmp_path: Path,
) -> None:
    tl = marks.place(
        _timeline(tmp_path, 8.0),
        intro=tmp_path / "intro.png",
        intro_s=3.0,
        end=tmp_path / "end.png",
        end_s=5.0,
    )
    shown = tl.shown()
    assert shown[0].label == "intro" and shown[0].end == 2.0
    assert shown[-1].label == ""
    assert tl.notes == ["end screen left out: the video (8.0s) is too short for 5s of it"]


def test_no_marks_leave_the_timeline_as_it_is(tmp_path: Path) -> None:
    tl = _timeline(tmp_path, 20.0)
    assert marks.add(tl, Brand(), tmp_path) is tl
