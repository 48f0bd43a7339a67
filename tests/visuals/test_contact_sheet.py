"""The contact sheet: its cells hold the video's own frames at their times, found by seeking,
chapter starts among them, and the thumbnails below in their ranking."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from ytempire.media.ffmpeg import ffmpeg_exe, run
from ytempire.models import Thumbnail
from ytempire.publish.metadata import Chapter
from ytempire.visuals.contact_sheet import (
    CELL_LONG_SIDE,
    SETTLE_S,
    make_contact_sheet,
    sheet_times,
)

SECONDS, FPS = 8, 30
THUMB_COLOURS = [(220, 40, 40), (40, 200, 60), (40, 80, 230)]


@pytest.fixture(scope="module")
def video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 s of FFmpeg's moving test pattern (a frame counter on it), a key frame a second."""
    out = tmp_path_factory.mktemp("sheet") / "video.mp4"
    run([
        ffmpeg_exe(), "-f", "lavfi", "-i", f"testsrc2=size=320x180:rate={FPS}:duration={SECONDS}",
        "-c:v", "libx264", "-preset", "ultrafast", "-g", str(FPS), "-pix_fmt", "yuv420p",
        "-y", str(out),
    ])  # fmt: skip
    return out


def every_frame(video: Path, width: int) -> list[tuple[float, np.ndarray]]:
    """Every frame, decoded front to back: the reference the sheet's cells must come from."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        height = round(width * stream.height / stream.width / 2) * 2
        return [
            (
                float(f.time or 0),
                f.reformat(width=width, height=height, format="rgb24").to_ndarray(),
            )
            for f in container.decode(stream)
        ]


def thumbnails(folder: Path) -> list[Thumbnail]:
    made = []
    for rank, colour in enumerate(THUMB_COLOURS):
        path = folder / f"thumb-{rank}.png"
        Image.new("RGB", (1280, 720), colour).save(path)
        made.append(
            Thumbnail(path=path, variant="abc"[rank], template="t", title_text="x",
                      predicted_ctr=0.06 - rank / 100)
        )  # fmt: skip
    return made


def test_cells_are_the_videos_frames_at_their_times_found_by_seeking(
    video: Path, tmp_path: Path
) -> None:
    chapters = [Chapter(start_s=0, title="Intro"), Chapter(start_s=3.3, title="Middle part")]
    sheet = make_contact_sheet(
        video, SECONDS, chapters, thumbnails(tmp_path), tmp_path / "contact_sheet.png"
    )
    image = np.asarray(Image.open(sheet.path).convert("RGB")).astype(np.int16)
    reference = every_frame(video, CELL_LONG_SIDE)
    assert [f.time_s for f in sheet.frames if f.chapter] == [0.0, 3.3 + SETTLE_S]
    assert len(sheet.frames) >= 16
    # Every other pixel is plenty to tell frames apart, at a quarter of the work.
    frames = np.stack([frame[::2, ::2] for _, frame in reference]).astype(np.int16)
    for cell in sheet.frames:
        left, top, right, bottom = cell.box
        crop = image[top:bottom:2, left:right:2]
        diffs = np.abs(frames - crop).mean(axis=(1, 2, 3))
        best = int(np.argmin(diffs))
        assert diffs[best] < 1.0, cell
        # The frame on screen at the cell's time: the last that starts at or before it.
        assert abs(reference[best][0] - cell.time_s) < 1 / FPS, (cell, reference[best][0])
    # Seeking: fewer frames decoded than the video has (a cell costs at most a GOP).
    assert sheet.decoded_frames < len(reference)
    # The thumbnails below the grid, best first, in their own colours.
    below = max(f.box[3] for f in sheet.frames)
    row = image[below + 60 :, :, :]
    found = [tuple(int(v) for v in row[row.shape[0] // 3, x]) for x in (150, 600, 1050)]
    assert found == THUMB_COLOURS


def test_regular_frames_keep_clear_of_chapter_frames() -> None:
    chapters = [Chapter(start_s=0, title="A"), Chapter(start_s=8.2, title="B")]
    cells = sheet_times(16.0, [*chapters, Chapter(start_s=15.5, title="too late")])
    times = [t for t, _ in cells]
    assert times == sorted(times)
    # A chapter's frame is a second in, after the transition into it.
    assert (9.2, "B") in cells and (0.0, "A") in cells
    assert 9.0 not in times  # a quarter step from the chapter's frame: left out
    assert 8.0 in times and 10.0 in times
    assert "too late" not in {c for _, c in cells}


def test_a_video_without_frames_is_refused() -> None:
    with pytest.raises(ValueError, match="duration"):
        sheet_times(0.0, [])
