"""Real renders of segment timelines: pans, transitions, overlays, subtitles, clips."""

from __future__ import annotations

import re
import subprocess
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw

from ytempire.media import encoder as encoders
from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.plan import plan
from ytempire.media.reference import vmaf
from ytempire.media.render import (
    RenderOptions,
    _link_sources,
    _Sources,
    part_graph,
    render_timeline,
    verify,
)
from ytempire.models import Overlay, Pan, Segment, Slide, Timeline, Transition

pytestmark = pytest.mark.slow


def _picture(path: Path, colour: tuple[int, int, int]) -> Path:
    image = Image.new("RGB", (1920, 1080), colour)
    draw = ImageDraw.Draw(image)
    for x in range(0, 1920, 120):
        draw.rectangle((x, 0, x + 40, 1080), fill=tuple(255 - c for c in colour))
    image.save(path)
    return path


def _wav(path: Path, seconds: float, rate: int = 48_000, channels: int = 2, width: int = 3) -> Path:
    t = np.arange(round(seconds * rate)) / rate
    tone = 0.3 * np.sin(2 * np.pi * 330 * t)
    scale = 2 ** (8 * width - 1) - 1
    samples = np.repeat((tone * scale).astype("<i4")[:, None], channels, axis=1)
    raw = samples.astype("<i4").tobytes()
    if width == 3:  # 24-bit PCM: the low three bytes of each 32-bit sample
        raw = b"".join(raw[i : i + 3] for i in range(0, len(raw), 4))
    with wave.open(str(path), "wb") as out:
        out.setnchannels(channels)
        out.setsampwidth(width)
        out.setframerate(rate)
        out.writeframes(raw)
    return path


@pytest.fixture
def timeline(tmp_path: Path) -> Timeline:
    a = _picture(tmp_path / "a.png", (200, 40, 40))
    b = _picture(tmp_path / "b.png", (40, 90, 200))
    c = _picture(tmp_path / "c.png", (30, 150, 60))
    overlay = Image.new("RGBA", (1920, 1080), (0, 0, 0, 0))
    ImageDraw.Draw(overlay).rectangle((100, 700, 900, 820), fill=(250, 250, 250, 230))
    overlay.save(tmp_path / "third.png")
    third = Overlay(kind="lower_third", image_path=tmp_path / "third.png", start=2.0, end=3.0)
    srt = tmp_path / "subs.srt"
    srt.write_text(
        "1\n00:00:00,300 --> 00:00:01,500\nFirst words\n\n"
        "2\n00:00:02,000 --> 00:00:04,000\nA longer second line of narration\n"
    )
    segments = [
        Segment(kind="still", path=a, start=0, end=1.5),
        Segment(
            kind="still", path=b, start=1.5, end=3.2, pan=Pan(zoom=1.1),
            transition=Transition(kind="fade", duration_s=0.4),
            overlays=[third],
        ),
        Segment(kind="still", path=c, start=3.2, end=4.5, transition=Transition(kind="wipeleft")),
    ]  # fmt: skip
    return Timeline(
        engine="test",
        width=1920,
        height=1080,
        duration_s=4.5,
        slides=[Slide(image_path=a, start=0, end=4.5, kind="hook")],
        segments=segments,
        audio_path=_wav(tmp_path / "narration.wav", 4.5),
        subtitles_path=srt,
    )


def test_render_encodes_only_changes_and_matches_the_reference(
    timeline: Timeline, tmp_path: Path
) -> None:
    output = tmp_path / "video.mp4"
    video = render_timeline(timeline, output, work_dir=tmp_path / "work", encoder="libx264")
    assert video.info.video_duration_s == pytest.approx(4.5, abs=0.05)
    assert (video.info.sample_rate, video.info.channels) == (48_000, 2)
    assert video.encoded_frames is not None and video.encoded_frames < 135 * 0.8
    with av.open(str(output)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 135
    # Every frame, held or spliced, is what the straightforward render draws.
    assert vmaf(timeline, output, tmp_path / "vmaf") >= 90


def test_only_transitions_are_drawn_in_444_and_every_picture_is_bt709(
    timeline: Timeline, tmp_path: Path
) -> None:
    # What FFmpeg's format negotiation converts, from its own debug log: xfade takes 4:4:4
    # only, and concat one format, so a careless graph converts every picture of a part
    # to 4:4:4 and back (twice the filtering work), and a still's RGB tag carried onto YUV
    # pictures ends up in the stream's colour description.
    laid = plan(timeline)
    linked = _link_sources(timeline, tmp_path, None)
    sources = _Sources(linked.names, linked.overlays, [])
    graph, label = part_graph(laid, laid.pieces, sources, None)
    (tmp_path / "part.graph").write_text(graph)
    log = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-v", "debug", "-/filter_complex",
         "part.graph", "-map", f"[{label}]", "-f", "null", "-"],
        cwd=tmp_path, capture_output=True, text=True, check=True,
    ).stderr  # fmt: skip
    conversions = re.findall(r"fmt:(\w+) csp:(\w+).* -> .*fmt:(\w+) csp:(\w+)", log)
    assert conversions  # the log says what it converts (this FFmpeg writes these lines)
    assert [c for c in conversions if c[0] == "yuv420p" and c[2] == "yuv444p"] == []
    assert [c for c in conversions if c[2].startswith("yuv") and c[3] != "bt709"] == []


def test_encoders_that_take_no_skip_frames_get_every_frame(
    timeline: Timeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(
        encoders.ENCODERS, "libx264", encoders.EncoderSpec("libx264", spliceable=False)
    )
    options = RenderOptions(encoder="libx264", workers=2)
    video = render_timeline(timeline, tmp_path / "v.mp4", work_dir=tmp_path / "w", options=options)
    assert video.encoded_frames == 135
    assert video.info.video_duration_s == pytest.approx(4.5, abs=0.05)


def _clip(
    path: Path,
    size: str,
    rate: int,
    *,
    rotation: int = 0,
    halves: bool = False,
    faststart: bool = False,
) -> Path:
    """A 2 s H.264 clip made by FFmpeg; ``halves`` paints the left half red and the right
    half blue (so a rotation shows), ``rotation`` stores a display matrix."""
    raw = path.with_suffix(".raw.mp4")
    paint = ["-vf", "drawbox=w=iw/2:h=ih:c=red:t=fill,drawbox=x=iw/2:w=iw/2:h=ih:c=blue:t=fill"]
    run([ffmpeg_exe(), "-f", "lavfi", "-i", f"testsrc2=s={size}:r={rate}:d=2",
         *(paint if halves else []), "-c:v", "libx264", "-pix_fmt", "yuv420p",
         "-y", str(raw)])  # fmt: skip
    args = ["-display_rotation", str(rotation)] if rotation else []
    index = ["-movflags", "+faststart"] if faststart else []
    run([ffmpeg_exe(), *args, "-i", str(raw), "-c", "copy", *index, "-y", str(path)])
    return path


def _truncated(path: Path, source: Path, keep: float) -> Path:
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def _frame(path: Path, at_s: float) -> np.ndarray:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= at_s - 1e-6:
                return frame.to_ndarray(format="rgb24").astype(int)
    raise AssertionError(f"no frame at {at_s}s")


def test_clips_of_any_size_rate_and_rotation_are_normalised_and_bad_ones_skipped(
    timeline: Timeline, tmp_path: Path
) -> None:
    # Stored landscape, shown portrait: the display matrix turns its left/right halves
    # into top/bottom ones.
    rotated = _clip(tmp_path / "rotated.mp4", "640x360", 24, rotation=90, halves=True)
    hd60 = _clip(tmp_path / "hd60.mp4", "1280x720", 60)
    portrait = _clip(tmp_path / "portrait.mp4", "720x1280", 25, faststart=True)
    # Cut short: without its index (moov at the end), and with its index but half its data.
    cut = _truncated(tmp_path / "cut.mp4", hd60, 0.5)
    cut_data = _truncated(tmp_path / "cut_data.mp4", portrait, 0.3)
    fade = Transition(kind="fade", duration_s=0.4)
    segments = [
        *timeline.segments[:1],
        # A picture fading into a clip, and back: the filter graph that used to fail.
        Segment(kind="clip", path=rotated, start=1.5, end=2.5, transition=fade),
        Segment(kind="clip", path=cut, start=2.5, end=2.7),
        Segment(kind="clip", path=hd60, start=2.7, end=3.4, transition=Transition()),
        Segment(kind="clip", path=cut_data, start=3.4, end=3.5),
        Segment(kind="clip", path=portrait, start=3.5, end=4.0, clip_start_s=5.0),
        Segment(kind="still", path=timeline.segments[2].path, start=4.0, end=4.5, transition=fade),
    ]
    output = tmp_path / "clips.mp4"
    video = render_timeline(
        timeline.model_copy(update={"segments": segments}),
        output,
        work_dir=tmp_path / "w",
        encoder="libx264",
    )
    assert [note.split(": ")[0] for note in video.notes] == [
        "clip cut.mp4 skipped",
        "clip cut_data.mp4 skipped",
    ]
    assert "corrupt data" in video.notes[1] or "truncated" in video.notes[1]
    assert video.fallbacks == video.notes
    assert (video.info.width, video.info.height, round(video.info.fps)) == (1920, 1080, 30)
    assert video.info.video_duration_s == pytest.approx(4.5, abs=0.05)
    with av.open(str(output)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 135
    # The rotated clip covers the frame, turned: top and bottom differ, left and right agree.
    middle = _frame(output, 2.2)
    top, bottom = middle[100:300, 800:1100].mean((0, 1)), middle[800:1000, 800:1100].mean((0, 1))
    left, right = middle[100:300, 100:400].mean((0, 1)), middle[100:300, 1500:1800].mean((0, 1))
    assert np.abs(top - bottom).max() > 100
    assert np.abs(left - right).max() < 30


def test_a_shorts_timeline_renders_1080x1920_and_verifies(
    timeline: Timeline, tmp_path: Path
) -> None:
    clip = _clip(tmp_path / "landscape.mp4", "1280x720", 30)
    segments = [
        *timeline.segments[:2],
        Segment(kind="clip", path=clip, start=3.2, end=4.5, transition=Transition()),
    ]
    shorts = timeline.model_copy(update={"width": 1080, "height": 1920, "segments": segments})
    output = tmp_path / "short.mp4"
    video = render_timeline(shorts, output, work_dir=tmp_path / "w", encoder="libx264")
    assert verify(video.info, shorts) == []
    assert (video.info.width, video.info.height) == (1080, 1920)
    assert video.info.video_duration_s == pytest.approx(4.5, abs=0.05)
    assert video.info.av_offset_ms <= 50
    assert video.info.bitrate_bps > 0
    with av.open(str(output)) as container:
        assert sum(1 for _ in container.decode(video=0)) == 135
