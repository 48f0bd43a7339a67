"""Skip frames spliced into a real x264 stream decode to exactly the held pictures."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest

from ytempire.media import h264
from ytempire.media.ffmpeg import ffmpeg_exe, run


def _encode(tmp_path: Path, name: str, params: dict[str, str], frames: int = 3) -> bytes:
    out = tmp_path / f"{name}.h264"
    run(
        [
            ffmpeg_exe(), "-f", "lavfi", "-i", "testsrc2=s=320x240:r=30",
            "-frames:v", str(frames), "-c:v", "libx264", "-preset", "ultrafast",
            "-profile:v", "high",
            "-x264-params", ":".join(f"{k}={v}" for k, v in params.items()),
            "-f", "h264", "-y", str(out),
        ]
    )  # fmt: skip
    return out.read_bytes()


def _gray_frames(path: Path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [f.to_ndarray(format="gray") for f in container.decode(video=0)]


def test_escape_round_trips_and_protects_start_codes() -> None:
    rbsp = b"\x00\x00\x00\x00\x01\x00\x00\x03\x05"
    escaped = h264.escape(rbsp)
    assert b"\x00\x00\x01" not in escaped and b"\x00\x00\x00" not in escaped
    assert h264.unescape(escaped) == rbsp


def test_headers_of_a_spliceable_x264_stream(tmp_path: Path) -> None:
    headers = h264.read_headers(_encode(tmp_path, "ok", h264.SPLICEABLE_X264_PARAMS))
    assert headers.problems() == []
    assert headers.mb_count == (320 // 16) * (240 // 16)
    h264.check_spliceable(headers)


def test_cabac_and_b_frames_are_refused_by_name(tmp_path: Path) -> None:
    stream = _encode(tmp_path, "cabac", {"bframes": "2", "cabac": "1", "ref": "2"}, frames=8)
    with pytest.raises(h264.H264Error) as caught:
        h264.check_spliceable(h264.read_headers(stream))
    message = str(caught.value)
    assert (
        "CABAC" in message
        and "order count type 0" in message
        and "reference frames (need 1)" in message
    )


def test_spliced_stream_holds_each_picture_exactly(tmp_path: Path) -> None:
    part = _encode(tmp_path, "part", h264.SPLICEABLE_X264_PARAMS)
    holds = [[30, 45, 17], [2, 1, 40]]  # two parts, as parallel encodes are joined
    spliced = tmp_path / "spliced.h264"
    spliced.write_bytes(b"".join(h264.splice([part, part], holds)))
    mp4 = tmp_path / "spliced.mp4"
    run([ffmpeg_exe(), "-framerate", "30", "-i", str(spliced), "-c", "copy", "-y", str(mp4)])

    source = _gray_frames(tmp_path / "part.h264")
    decoded = _gray_frames(mp4)
    wanted = [i for part_holds in holds for i, n in enumerate(part_holds) for _ in range(n)]
    assert len(decoded) == len(wanted) == 135
    assert all(np.array_equal(got, source[i]) for got, i in zip(decoded, wanted, strict=True))
    # 132 of those frames are skip frames of a few bytes each
    assert spliced.stat().st_size < 2 * len(part) + 132 * 20


def test_holds_that_disagree_with_the_pictures_are_an_error(tmp_path: Path) -> None:
    part = _encode(tmp_path, "part", h264.SPLICEABLE_X264_PARAMS)
    with pytest.raises(h264.H264Error, match="more pictures than its 2 holds"):
        list(h264.splice([part], [[5, 5]]))
