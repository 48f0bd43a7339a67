from __future__ import annotations

from pathlib import Path

import pytest

from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.media.probe import ProbeError, probe


@pytest.fixture
def small_mp4(tmp_path: Path) -> Path:
    """A 1 s 320x240 25 fps H.264 + 44.1 kHz mono AAC file, made by FFmpeg directly."""
    path = tmp_path / "small.mp4"
    run(
        [
            ffmpeg_exe(),
            "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25:duration=1",
            "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1",
            "-c:v", "libx264", "-profile:v", "main", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-ac", "1", "-shortest", str(path),
        ]
    )  # fmt: skip
    return path


def test_probe_reads_stream_metadata(small_mp4: Path) -> None:
    info = probe(small_mp4)
    assert info.path == small_mp4
    assert info.size_bytes == small_mp4.stat().st_size
    assert (info.video_codec, info.video_profile, info.pixel_format) == ("h264", "Main", "yuv420p")
    assert (info.width, info.height) == (320, 240)
    assert info.fps == pytest.approx(25)
    assert info.video_duration_s == pytest.approx(1.0, abs=0.05)
    assert info.duration_s == pytest.approx(1.0, abs=0.1)
    assert info.video_start_s == pytest.approx(0.0, abs=0.05)
    assert (info.audio_codec, info.audio_profile) == ("aac", "LC")
    assert (info.sample_rate, info.channels) == (44_100, 1)
    assert info.audio_duration_s == pytest.approx(1.0, abs=0.1)
    assert info.bitrate_bps > 0


def test_probe_of_a_text_file_is_a_one_line_probe_error(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text("this is not a video\n")
    with pytest.raises(ProbeError) as caught:
        probe(text)
    assert str(text) in str(caught.value)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_probe_of_a_file_format_with_no_video_is_refused(narration_wav: Path) -> None:
    with pytest.raises(ProbeError, match="no video stream"):
        probe(narration_wav)


def test_probe_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ProbeError, match="No such file"):
        probe(tmp_path / "missing.mp4")
