"""Key frames of a rendered video, picked by sharpness and contrast for its thumbnails.

The renderer makes every shot start on a key frame, so the shots are reached by seeking,
never by decoding the video: from each of at most ``MAX_SAMPLES`` times spread over the
video (at least ``SAMPLE_STEP_S`` apart), a seek lands on the first key frame at or after
it, and only that frame is decoded. The work is then bounded whatever the video's length
(about 0.02 s a sample for 1080p), and on a video whose shots are at least a step apart
every key frame is looked at, exactly those that decoding every key frame would offer.

A video whose key frames do not sample it well (fewer than asked for, or on average more
than ``MAX_KEY_SPACING_S`` apart and more than two steps: another encoder's long GOPs) is
decoded once instead, front to back, and a frame is looked at every step plus every key
frame: about 1.1 s for a minute of 1080p on two cores. Seeking to sample times there would
decode from the previous key frame for every sample, many times the work.

Each candidate is scored on a 320-pixel-wide grey copy:

- sharpness: variance of the Laplacian, ``v / (v + SHARPNESS_HALF)`` (0..1; crossfades and
  motion blur score low);
- contrast: RMS contrast, the standard deviation of luma in 0..1, over ``CONTRAST_FULL``;
- ``score = 0.5 × sharpness + 0.5 × contrast``, halved in the end-screen window (the last
  15% of the video, at most its last 20 s), where the call to action and YouTube's end
  screen sit: a frame from there wins only when nothing earlier is usable.

Near-black and near-white frames (fades) and near-uniform ones (contrast under
``MIN_CONTRAST``: a blank card) are dropped, near-duplicates (the same slide
repeated by the renderer) are kept once, and the best ``count`` are written as PNG files at
most 1280x720-covering size, best first. Each is also classed as a *picture* (footage, a
photo) or a *graphic* (a designed card or chart: mostly flat colour), which decides how the
thumbnail templates use it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image
from pydantic import BaseModel, Field

from ytempire.quality.faces import detect_faces
from ytempire.workspace import atomic_path

SCORE_WIDTH = 320
SHARPNESS_HALF = 150.0  # Laplacian variance (0..255 luma at 320 px) that scores 0.5
CONTRAST_FULL = 0.25  # RMS contrast that scores 1
MIN_CONTRAST = 0.1  # contrast score (RMS 0.025, about 6 levels of 255) below which a frame is blank
MIN_MEAN, MAX_MEAN = 0.06, 0.94  # mean luma outside this is a fade to black or white
# Mean absolute difference (0..1) of 32x18 grey signatures under which two frames are one.
DUPLICATE_DIFF = 0.02
# A frame whose 8x8 blocks are mostly flat (luma spread under FLAT_BLOCK_STD) is a graphic.
FLAT_BLOCK_STD = 3.0
GRAPHIC_FLAT_SHARE = 0.6
# Key frames are saved just large enough to cover a 1280x720 thumbnail.
COVER_SIZE = (1280, 720)
MAX_KEY_SPACING_S = 15.0
SAMPLE_STEP_S = 0.5  # shots shorter than this are transitions, not thumbnail material
MAX_SAMPLES = 240
END_SCREEN_SHARE = 0.15
END_SCREEN_MAX_S = 20.0
END_SCREEN_FACTOR = 0.5


class KeyFrame(BaseModel):
    """One picked frame: its file, where it is in the video, and why it was picked."""

    path: Path
    time_s: float = Field(ge=0)
    sharpness: float = Field(ge=0, le=1)
    contrast: float = Field(ge=0, le=1)
    score: float = Field(ge=0, le=1)
    graphic: bool = Field(description="a designed card or chart rather than a picture")
    faces: int = Field(default=0, ge=0)


@dataclass
class _Candidate:
    time_s: float
    frame: av.VideoFrame  # converted to a picture only if it is picked
    signature: np.ndarray
    sharpness: float
    contrast: float
    flat_share: float
    end_screen: bool = False
    score: float = field(init=False)

    def __post_init__(self) -> None:
        self.score = 0.5 * self.sharpness + 0.5 * self.contrast
        if self.end_screen:
            self.score *= END_SCREEN_FACTOR

    def image(self) -> Image.Image:
        width, height = _cover_size(self.frame.width, self.frame.height)
        return self.frame.reformat(width=width, height=height, format="rgb24").to_image()


def laplacian_variance(gray: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of a 2-D luma array (0..255): sharpness."""
    g = gray.astype(np.float32)
    lap = -4 * g[1:-1, 1:-1] + g[:-2, 1:-1] + g[2:, 1:-1] + g[1:-1, :-2] + g[1:-1, 2:]
    return float(lap.var()) if lap.size else 0.0


def flat_share(gray: np.ndarray, block: int = 8) -> float:
    """Share of ``block``-pixel squares of ``gray`` (0..255) whose luma barely varies."""
    h, w = (gray.shape[0] // block) * block, (gray.shape[1] // block) * block
    if h == 0 or w == 0:
        return 1.0
    tiles = gray[:h, :w].astype(np.float32).reshape(h // block, block, w // block, block)
    return float((tiles.std(axis=(1, 3)) < FLAT_BLOCK_STD).mean())


def measure(gray: np.ndarray) -> tuple[float, float, float]:
    """(sharpness, contrast, flat share) of a grey frame, sharpness and contrast in 0..1."""
    variance = laplacian_variance(gray)
    sharpness = variance / (variance + SHARPNESS_HALF)
    contrast = min(1.0, float(gray.std()) / 255 / CONTRAST_FULL)
    return sharpness, contrast, flat_share(gray)


def _cover_size(width: int, height: int) -> tuple[int, int]:
    scale = min(1.0, max(COVER_SIZE[0] / width, COVER_SIZE[1] / height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def _candidate(frame: av.VideoFrame, duration_s: float) -> _Candidate | None:
    small_h = max(2, round(frame.height * SCORE_WIDTH / frame.width))
    gray = frame.reformat(width=SCORE_WIDTH, height=small_h, format="gray").to_ndarray()
    gray = gray[:, :SCORE_WIDTH]  # rows may be padded to an alignment
    mean = float(gray.mean()) / 255
    if not MIN_MEAN <= mean <= MAX_MEAN:
        return None
    sharpness, contrast, flat = measure(gray)
    if contrast < MIN_CONTRAST:
        return None
    signature = np.asarray(Image.fromarray(gray).resize((32, 18), Image.Resampling.BOX))
    time_s = max(0.0, float(frame.time) if frame.time is not None else 0.0)
    end_window = min(END_SCREEN_MAX_S, END_SCREEN_SHARE * duration_s)
    return _Candidate(
        time_s,
        frame,
        signature.astype(np.float32) / 255,
        sharpness,
        contrast,
        flat,
        end_screen=duration_s > 0 and time_s >= duration_s - end_window,
    )


class _Best:
    """The best distinct candidates seen so far, at most ``keep``."""

    def __init__(self, keep: int) -> None:
        self.keep = keep
        self.items: list[_Candidate] = []

    def offer(self, new: _Candidate | None) -> None:
        if new is None:
            return
        for i, old in enumerate(self.items):
            if float(np.abs(old.signature - new.signature).mean()) < DUPLICATE_DIFF:
                if new.score > old.score:
                    self.items[i] = new
                return
        self.items.append(new)
        self.items.sort(key=lambda c: (-c.score, c.time_s))
        del self.items[self.keep :]


def _sample_step(duration_s: float) -> float:
    return max(SAMPLE_STEP_S, duration_s / MAX_SAMPLES)


def _duration(container: av.container.InputContainer) -> float:
    """The video stream's length in seconds, from the headers."""
    stream = container.streams.video[0]
    if stream.duration and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    return container.duration / av.time_base if container.duration else 0.0


def _key_at_or_after(
    container: av.container.InputContainer, stream: av.video.stream.VideoStream, seconds: float
) -> av.VideoFrame | None:
    """The first key frame at or after ``seconds``, reached by seeking and decoded alone;
    None past the last one."""
    if stream.time_base is None:
        return None
    try:
        # Forward (not backward) seeking lands on the next key frame, not the one before.
        container.seek(round(seconds / stream.time_base), stream=stream, backward=False)
    except av.error.PermissionError:  # no key frame after ``seconds``
        return None
    for packet in container.demux(stream):
        for frame in packet.decode():
            return frame
    return None


def _seek_keys(video: Path, best: _Best) -> tuple[float, int]:
    """Offer the first key frame at or after every sample step (each once, front to back);
    return the video's duration and how many key frames were offered."""
    with av.open(str(video)) as container:
        if not container.streams.video:
            raise ValueError(f"{video} has no video stream")
        duration = _duration(container)
        step = _sample_step(duration)
        stream = container.streams.video[0]
        stream.thread_type = "SLICE"  # frame threads would hold frames back
        rate = float(stream.average_rate or 30)
        target, offered = 0.0, 0
        while target < duration:
            frame = _key_at_or_after(container, stream, target)
            if frame is None or frame.time is None:
                break
            best.offer(_candidate(frame, duration))
            offered += 1
            target = max(target + step, float(frame.time) + 0.5 / rate)
    return duration, offered


def _scan(video: Path, best: _Best, duration_s: float) -> None:
    """Offer, in one pass decoding every frame, a frame per sample step and every key frame."""
    step = _sample_step(duration_s)
    with av.open(str(video)) as container:
        stream = container.streams.video[0]
        # Slice threads measured faster than frame threads for this (one-pass) decoding.
        stream.thread_type = "SLICE"
        next_sample = 0.0
        for frame in container.decode(stream):
            time_s = float(frame.time) if frame.time is not None else next_sample
            if frame.key_frame or time_s >= next_sample - 1e-3:
                best.offer(_candidate(frame, duration_s))
                next_sample = time_s + step


def pick_key_frames(video: Path, out_dir: Path, *, count: int = 3) -> list[KeyFrame]:
    """The ``count`` best distinct frames of ``video`` by sharpness and contrast, written to
    ``out_dir/key_frame_<i>.png`` (best first) with their faces counted.

    Fewer come back when the video has fewer distinct usable frames (a one-slide video
    gives one). Raises ValueError for a file without a readable video stream.
    """
    if count < 1:
        raise ValueError("count must be at least 1")
    # Keep a few spare candidates: the pickiest rule (distinctness) is applied as they come.
    best = _Best(keep=count + 2)
    try:
        duration_s, keys = _seek_keys(video, best)
        spacing = max(MAX_KEY_SPACING_S, 2 * _sample_step(duration_s))
        if keys < count or duration_s > spacing * keys:
            best = _Best(keep=count + 2)
            _scan(video, best, duration_s)
    except av.error.FFmpegError as exc:
        raise ValueError(f"cannot read key frames of {video}: {exc}") from None

    picked: list[KeyFrame] = []
    for i, cand in enumerate(best.items[:count]):
        image = cand.image()
        path = out_dir / f"key_frame_{i + 1}.png"
        with atomic_path(path) as tmp:
            image.save(tmp, format="PNG", compress_level=1)
        picked.append(
            KeyFrame(
                path=path,
                time_s=round(cand.time_s, 3),
                sharpness=round(cand.sharpness, 4),
                contrast=round(cand.contrast, 4),
                score=round(cand.score, 4),
                graphic=cand.flat_share >= GRAPHIC_FLAT_SHARE,
                faces=len(detect_faces(image)),
            )
        )
    return picked
