from __future__ import annotations

import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest

from tests.media.conftest import NARRATION_S, SLIDE_COLOURS, TimelineFactory
from ytempire.media import render
from ytempire.media.ffmpeg import FFmpegError
from ytempire.media.probe import probe
from ytempire.media.render import (
    RenderError,
    render_timeline,
    slide_schedule,
    verify,
)
from ytempire.models import MediaInfo, Slide


def _option(args: list[str], name: str) -> str:
    return args[args.index(name) + 1]


def _good_info(path: Path, width: int = 1920, height: int = 1080) -> MediaInfo:
    return MediaInfo(
        path=path,
        size_bytes=1,
        duration_s=NARRATION_S,
        video_codec="h264",
        video_profile="High",
        pixel_format="yuv420p",
        width=width,
        height=height,
        fps=30.0,
        video_duration_s=NARRATION_S,
        video_start_s=0.0,
        bitrate_bps=1,
        audio_codec="aac",
        audio_profile="LC",
        sample_rate=48_000,
        channels=2,
        audio_duration_s=NARRATION_S,
        audio_start_s=0.0,
        colour=(1, 1, 1),
    )


def _files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- the pure parts -----------------------------------------------------------------------


def test_schedule_holds_each_slide_until_the_next_and_fills_the_timeline(
    make_timeline: TimelineFactory, slide_paths: list[Path]
) -> None:
    timeline = make_timeline().model_copy(
        update={
            "duration_s": 4.0,
            "slides": [
                Slide(image_path=slide_paths[0], start=0.5, end=1.0, kind="hook"),
                Slide(image_path=slide_paths[2], start=2.0, end=3.0, kind="summary"),
                Slide(image_path=slide_paths[1], start=1.2, end=1.8, kind="section"),
            ],
        }
    )
    assert slide_schedule(timeline) == [
        (slide_paths[0], 36),  # from 0, not 0.5, until the next slide at 1.2 s
        (slide_paths[1], 24),  # gap 1.8-2.0 s keeps this slide up
        (slide_paths[2], 60),  # until the end of the narration, not 3.0 s
    ]


def test_verify_accepts_the_spec(make_timeline: TimelineFactory, tmp_path: Path) -> None:
    assert verify(_good_info(tmp_path / "o.mp4"), make_timeline()) == []


def test_verify_flags_a_wrong_size(make_timeline: TimelineFactory, tmp_path: Path) -> None:
    info = _good_info(tmp_path / "o.mp4", width=1280, height=720)
    assert verify(info, make_timeline()) == ["size 1280x720, want 1920x1080"]


def test_verify_flags_a_colour_description_other_than_bt709(
    make_timeline: TimelineFactory, tmp_path: Path
) -> None:
    # Matrix 0 (RGB) on 4:2:0 pictures is what FFmpeg writes when an RGB picture's tags
    # are carried through untouched: players would show green faces.
    info = _good_info(tmp_path / "o.mp4").model_copy(update={"colour": (0, 2, 2)})
    assert verify(info, make_timeline()) == [
        "colour (matrix, primaries, transfer) (0, 2, 2), want (1, 1, 1)"
    ]


def test_verify_flags_audio_length_and_sync_problems(
    make_timeline: TimelineFactory, tmp_path: Path
) -> None:
    info = _good_info(tmp_path / "o.mp4").model_copy(
        update={
            "sample_rate": 22_050,
            "channels": 1,
            "video_duration_s": NARRATION_S + 0.2,
            "audio_start_s": 0.08,
            "fps": 29.97,
        }
    )
    problems = verify(info, make_timeline())
    assert problems == [
        "fps 29.97, want 30",
        "sample rate 22050, want 48000",
        "channels 1, want 2",
        "video lasts 3.200s, want 3.000s",
        "audio and video start 80 ms apart",
    ]
    assert verify(info.model_copy(update={"audio_codec": None}), make_timeline())[1] == (
        "no audio stream"
    )


def test_verify_flags_a_bitrate_of_nothing_or_far_too_much(
    make_timeline: TimelineFactory, tmp_path: Path
) -> None:
    info = _good_info(tmp_path / "o.mp4")
    assert verify(info.model_copy(update={"bitrate_bps": 0}), make_timeline()) == [
        "bitrate 0.0 Mb/s, want 0-50"
    ]
    assert verify(info.model_copy(update={"bitrate_bps": 80_000_000}), make_timeline()) == [
        "bitrate 80.0 Mb/s, want 0-50"
    ]


# --- real renders -------------------------------------------------------------------------


def _frame_rgb(path: Path, at_s: float, xy: tuple[int, int]) -> tuple[int, ...]:
    with av.open(str(path)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= at_s - 1e-6:
                x, y = xy
                return tuple(int(v) for v in frame.to_ndarray(format="rgb24")[y, x])
    raise AssertionError(f"no frame at {at_s}s")


def _audio_rms(path: Path) -> float:
    with av.open(str(path)) as container:
        chunks = [frame.to_ndarray() for frame in container.decode(audio=0)]
    samples = np.concatenate(chunks, axis=1).astype(np.float64)
    return float(np.sqrt(np.mean(samples**2)))


def _close(got: tuple[int, ...], want: tuple[int, ...]) -> bool:
    return all(abs(g - w) <= 12 for g, w in zip(got, want, strict=True))


@pytest.mark.slow
def test_render_landscape_meets_the_spec(make_timeline: TimelineFactory, tmp_path: Path) -> None:
    timeline = make_timeline()
    output = tmp_path / "video" / "final.mp4"
    result = render_timeline(timeline, output, work_dir=tmp_path / "work", encoder="libx264")

    assert result.path == output
    assert result.engine == "ffmpeg-libx264"
    assert (result.encoder, result.cost_usd) == ("libx264", 0.0)
    assert result.seconds_to_render > 0
    assert _files_in(output.parent) == ["final.mp4"]

    info = probe(output)
    assert result.info == info
    assert (info.video_codec, info.video_profile, info.pixel_format) == ("h264", "High", "yuv420p")
    assert info.colour == (1, 1, 1)  # BT.709 matrix, primaries and transfer in the stream
    assert (info.width, info.height) == (1920, 1080)
    assert info.fps == pytest.approx(30, abs=0.01)
    assert (info.audio_codec, info.audio_profile) == ("aac", "LC")
    assert (info.sample_rate, info.channels) == (48_000, 2)
    assert info.video_duration_s == pytest.approx(NARRATION_S, abs=0.1)
    assert info.audio_duration_s == pytest.approx(NARRATION_S, abs=0.1)
    assert info.av_offset_ms <= 50
    assert _audio_rms(output) > 0.05  # the 0.3-amplitude tone, not silence

    # each slide appears on the frame its timeline says (1 s each)
    for second, colour in enumerate(SLIDE_COLOURS):
        assert _close(_frame_rgb(output, second + 0.1, (100, 100)), colour)


@pytest.mark.slow
def test_render_portrait_pads_landscape_slides_into_1080x1920(
    make_timeline: TimelineFactory, tmp_path: Path
) -> None:
    output = tmp_path / "short.mp4"
    result = render_timeline(make_timeline(1080, 1920), output, work_dir=tmp_path / "work")

    assert (result.info.width, result.info.height) == (1080, 1920)
    assert verify(result.info, make_timeline(1080, 1920)) == []
    # the 16:9 slide sits in the middle band; above it is black padding
    assert _close(_frame_rgb(output, 0.0, (540, 100)), (0, 0, 0))
    assert _close(_frame_rgb(output, 0.0, (20, 960)), SLIDE_COLOURS[0])


def test_missing_slide_is_a_one_line_render_error_and_no_output(
    make_timeline: TimelineFactory, slide_paths: list[Path], tmp_path: Path
) -> None:
    slide_paths[1].unlink()
    output = tmp_path / "out" / "final.mp4"
    with pytest.raises(RenderError, match="slide 2 image missing") as caught:
        render_timeline(make_timeline(), output, work_dir=tmp_path / "work")
    assert "\n" not in str(caught.value)
    assert not output.parent.exists() or _files_in(output.parent) == []


def test_garbage_slide_is_a_one_line_render_error_and_no_output(
    make_timeline: TimelineFactory, slide_paths: list[Path], tmp_path: Path
) -> None:
    slide_paths[2].write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 100)
    output = tmp_path / "out" / "final.mp4"
    with pytest.raises(RenderError, match="slide 3 image unreadable") as caught:
        render_timeline(make_timeline(), output, work_dir=tmp_path / "work")
    assert "\n" not in str(caught.value)
    assert not output.parent.exists() or _files_in(output.parent) == []


def _png_with_undecodable_pixels(path: Path) -> None:
    """Well-formed chunks with correct CRCs, but pixel data that is not zlib."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", 1920, 1080, 8, 2, 0, 0, 0)
    path.write_bytes(
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", b"not zlib at all" * 40)
        + chunk(b"IEND", b"")
    )


@pytest.mark.slow
def test_slide_that_only_ffmpeg_finds_corrupt_fails_the_render(
    make_timeline: TimelineFactory, slide_paths: list[Path], tmp_path: Path
) -> None:
    _png_with_undecodable_pixels(slide_paths[1])
    output = tmp_path / "out" / "final.mp4"
    # FFmpeg's image source skips a picture it cannot decode and exits 0; the encoded part
    # then has fewer pictures than planned, which the splice refuses.
    with pytest.raises((FFmpegError, RenderError)) as caught:
        render_timeline(make_timeline(), output, work_dir=tmp_path / "work")
    assert "\n" not in str(caught.value)
    assert not output.parent.exists() or _files_in(output.parent) == []


def test_an_odd_frame_size_is_refused_before_anything_is_encoded(
    make_timeline: TimelineFactory, tmp_path: Path
) -> None:
    output = tmp_path / "out" / "final.mp4"
    with pytest.raises(RenderError, match=r"frame size 1921x1080 has an odd side") as caught:
        render_timeline(make_timeline(1921, 1080), output, work_dir=tmp_path / "work")
    assert "\n" not in str(caught.value)
    assert not output.parent.exists() or _files_in(output.parent) == []


@pytest.mark.slow
def test_failed_verification_raises_and_leaves_no_output(
    make_timeline: TimelineFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A render that verify rejects (here: told so) is not renamed into place.
    monkeypatch.setattr(render, "verify", lambda info, timeline: ["fps 25, want 30"])
    output = tmp_path / "out" / "final.mp4"
    with pytest.raises(RenderError, match=r"failed verification: fps 25, want 30"):
        render_timeline(make_timeline(), output, work_dir=tmp_path / "work")
    assert _files_in(output.parent) == []
    assert not (tmp_path / "work" / "final.render").exists()
