"""A video at a glance: ``contact_sheet.png``, a grid of its frames and its thumbnails.

The grid holds a frame at each chapter start (its time and title under it, in the accent
colour) and one at regular intervals between them (its time), about ``REGULAR_FRAMES`` in
all, in time order; below it, the three thumbnail variants in their ranking, each with its
rank, variant and predicted click-through rate.

Frames are reached by seeking, never by decoding the whole video: for each time, a seek lands
on the key frame at or before it and decoding runs forward only to the frame shown at that
time. The renderer starts every shot on a key frame and holds a picture with skip frames, so
that is a handful of frames per cell; ``ContactSheet.decoded_frames`` says how many.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import av
from PIL import Image, ImageDraw
from pydantic import BaseModel, Field

from ytempire.fonts import default_faces
from ytempire.models import Thumbnail
from ytempire.publish.metadata import Chapter
from ytempire.visuals.text import draw_set_text, fit_text
from ytempire.workspace import atomic_path

FILE_NAME = "contact_sheet.png"
REGULAR_FRAMES = 16
# A regular frame this close to a chapter's frame (a share of the interval) is left out.
NEAR_CHAPTER = 0.25
# A chapter's frame is taken this long after it starts: a transition into it (0.3-0.6 s in
# the style presets) would show two pictures at once.
SETTLE_S = 1.0
CELL_LONG_SIDE = 320
COLUMNS = {True: 4, False: 6}  # landscape, portrait
GAP = 12
CAPTION_H = 28
HEADER_H = 44
THUMB_CAPTION_H = 30
BACKGROUND = (24, 24, 28)
TEXT = (230, 230, 235)
MUTED = (150, 150, 160)
ACCENT = (255, 196, 0)


class SheetFrame(BaseModel):
    """One cell of the grid: the frame shown at ``time_s``, drawn in ``box``."""

    time_s: float = Field(ge=0)
    chapter: str | None = Field(default=None, description="the chapter starting here, if any")
    box: tuple[int, int, int, int] = Field(description="left, top, right, bottom in the sheet")


class ContactSheet(BaseModel):
    path: Path
    frames: list[SheetFrame]
    thumbnails: list[Path] = Field(description="the variants shown, best first")
    decoded_frames: int = Field(ge=0, description="frames decoded to fill the grid")


def sheet_times(
    duration_s: float, chapters: Sequence[Chapter], count: int = REGULAR_FRAMES
) -> list[tuple[float, str | None]]:
    """(time, chapter title or None) of every cell, in time order: each chapter inside the
    video (``SETTLE_S`` after its start, once the transition into it has settled), and every
    ``duration_s / count`` seconds unless a chapter's frame is close by."""
    if duration_s <= 0:
        raise ValueError(f"a contact sheet needs a video with frames (duration {duration_s})")
    step = duration_s / count
    starts = {
        round(min(c.start_s + SETTLE_S, duration_s) if c.start_s > 0 else 0.0, 3): c.title
        for c in chapters
        if 0 <= c.start_s < duration_s - SETTLE_S
    }
    regular = [
        round(k * step, 3)
        for k in range(count)
        if all(abs(k * step - s) >= NEAR_CHAPTER * step for s in starts)
    ]
    cells: list[tuple[float, str | None]] = [(t, None) for t in regular]
    cells += list(starts.items())
    return sorted(cells)


def grab_frames(video: Path, times: Sequence[float], width: int) -> tuple[list[Image.Image], int]:
    """The frame shown at each of ``times`` (seconds, ascending), ``width`` pixels wide, and
    how many frames were decoded to find them.

    The key frames' times come from the packets (read, not decoded). A time in the stretch
    already being decoded is reached by decoding on; any other by a seek to the key frame
    at or before it. Each frame is decoded at most once."""
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        time_base = stream.time_base
        if time_base is None:
            raise ValueError(f"{video.name} has no video time base")
        keys = [
            float(p.pts * time_base)
            for p in container.demux(stream)
            if p.is_keyframe and p.pts is not None
        ]
        rate = float(stream.average_rate or 30)
        height = round(width * stream.height / stream.width / 2) * 2
        pictures: list[Image.Image] = []
        decoded = 0
        frames: Iterator[av.VideoFrame] | None = None
        shown: av.VideoFrame | None = None
        for at in times:
            # Half a frame early still counts: float times land on their own frame.
            due = at - 0.5 / rate
            key = max((k for k in keys if k <= due), default=0.0)
            here = shown.time if shown is not None and shown.time is not None else None
            # Decoding on from ``here`` is the shorter way unless it is before ``key``; at or
            # past ``due`` the frame shown is already this one.
            if here is None or here < key:
                container.seek(int(key / time_base), stream=stream, backward=True)
                frames = container.decode(stream)
                shown = None
            while shown is None or shown.time is None or shown.time < due:
                following = next(frames, None) if frames is not None else None
                if following is None:
                    break  # past the last frame: the last one stays on screen
                shown, decoded = following, decoded + 1
            if shown is None:
                raise ValueError(f"{video.name} has no frame at {at:.2f} s")
            pictures.append(shown.reformat(width=width, height=height, format="rgb24").to_image())
    return pictures, decoded


def make_contact_sheet(
    video: Path,
    duration_s: float,
    chapters: Sequence[Chapter],
    thumbnails: Sequence[Thumbnail],
    destination: Path,
    *,
    fonts_dir: Path | None = None,
    language: str = "en",
) -> ContactSheet:
    """Draw the contact sheet of ``video`` (see the module docstring) to ``destination``,
    atomically, its chapter titles set for ``language``. ``thumbnails`` are the ranked
    variants, best first."""
    cells = sheet_times(duration_s, chapters)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        landscape = stream.width >= stream.height
    cell_w = CELL_LONG_SIDE if landscape else CELL_LONG_SIDE * 9 // 16
    pictures, decoded = grab_frames(video, [t for t, _ in cells], cell_w)
    cell_h = pictures[0].height
    columns = COLUMNS[landscape]
    rows = -(-len(cells) // columns)
    width = GAP + columns * (cell_w + GAP)
    thumb_w = (width - GAP) // max(1, len(thumbnails)) - GAP if thumbnails else 0
    thumb_h = thumb_w * 9 // 16
    grid_top = HEADER_H
    thumbs_top = grid_top + rows * (cell_h + CAPTION_H + GAP) + GAP
    height = thumbs_top + (thumb_h + THUMB_CAPTION_H + GAP if thumbnails else 0)

    sheet = Image.new("RGB", (width, height), BACKGROUND)
    draw = ImageDraw.Draw(sheet)
    body = default_faces(fonts_dir, language)[1]
    step = duration_s / REGULAR_FRAMES
    header = (
        f"{video.name} · {_clock(duration_s, step)} · {len(cells)} frames "
        f"({decoded} decoded by seeking)"
    )
    _caption(draw, body, header, (GAP, 12), width, TEXT, language)
    frames = []
    for index, ((at, chapter), picture) in enumerate(zip(cells, pictures, strict=True)):
        row, column = divmod(index, columns)
        left = GAP + column * (cell_w + GAP)
        top = grid_top + row * (cell_h + CAPTION_H + GAP)
        box = (left, top, left + cell_w, top + cell_h)
        sheet.paste(picture, box[:2])
        stamp = _clock(at, step)
        if chapter is not None:  # under the frame, which stays as decoded
            draw.rectangle((left, top + cell_h + 1, left + cell_w - 1, top + cell_h + 3), ACCENT)
        label = f"{stamp}  {chapter}" if chapter is not None else stamp
        colour = ACCENT if chapter is not None else MUTED
        _caption(draw, body, label, (left, top + cell_h + 6), cell_w, colour, language)
        frames.append(SheetFrame(time_s=at, chapter=chapter, box=box))
    for rank, thumbnail in enumerate(thumbnails, start=1):
        left = GAP + (rank - 1) * (thumb_w + GAP)
        with Image.open(thumbnail.path) as image:
            sheet.paste(image.convert("RGB").resize((thumb_w, thumb_h)), (left, thumbs_top))
        ctr = "" if thumbnail.predicted_ctr is None else f" · CTR {thumbnail.predicted_ctr:.1%}"
        label = f"#{rank} {thumbnail.variant}{ctr}"
        _caption(draw, body, label, (left, thumbs_top + thumb_h + 6), thumb_w, TEXT, language)
    with atomic_path(destination) as tmp:
        sheet.save(tmp, format="PNG")
    return ContactSheet(
        path=destination,
        frames=frames,
        thumbnails=[t.path for t in thumbnails],
        decoded_frames=decoded,
    )


def _clock(seconds: float, step: float) -> str:
    """``m:ss`` (``h:mm:ss``), with tenths when cells are under two seconds apart."""
    whole = Chapter(start_s=seconds, title="").timestamp
    return whole if step >= 2 else f"{whole}.{int(seconds * 10) % 10}"


def _caption(
    draw: ImageDraw.ImageDraw,
    font: Path,
    text: str,
    origin: tuple[int, int],
    width: int,
    colour: tuple[int, int, int],
    language: str,
) -> None:
    """One line of ``text`` at ``origin``, shortened to ``width``."""
    block = fit_text(
        text, font, (width, CAPTION_H - 6), max_size=15, min_size=12, max_lines=1, language=language
    )
    if block is not None:
        draw_set_text(draw, block, origin, colour)
