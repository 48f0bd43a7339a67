"""What the encoder has to code: a timeline cut into pieces and the pictures that differ.

Everything here is arithmetic on frame numbers, no FFmpeg. The output is a :class:`RenderPlan`:

- segments laid on the frame grid, each visible from its cut point (or from the start of its
  incoming transition) to the next;
- pieces in frame order: a still shown on its own (``still``), a clip (``clip``), or a
  transition between two segments (``blend``);
- for each piece, the frames where the picture changes (``states``). A still changes only
  when a subtitle or overlay appears or goes, or when its pan moves the window by a pixel;
  a clip or a transition changes every frame. Only those pictures are encoded; each is held
  on screen until the next (:mod:`ytempire.media.h264` fills the gap with skip frames).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from ytempire.models import Pan, Segment, Timeline


@dataclass(frozen=True)
class Cue:
    """A subtitle on screen from frame ``first`` up to (not including) ``end``; a caption
    line said word by word has ``words``: the frame each word starts on, and the word; in a
    dialogue ``voice`` says which speaker (0: the first, in the style's colours)."""

    first: int
    end: int
    text: str
    words: tuple[tuple[int, str], ...] = ()
    voice: int = 0


@dataclass(frozen=True)
class PanPath:
    """Where the crop window of a panned still sits on each frame of its visible span."""

    first: int  # first frame the segment is visible
    frames: int  # how many frames it is visible
    scaled: tuple[int, int]  # the picture's size after the one scale
    x0: int
    y0: int
    dx: int
    dy: int

    @property
    def steps(self) -> int:
        """How many one-pixel steps the window takes along its longer axis."""
        return max(abs(self.dx), abs(self.dy))

    def position(self, frame: int) -> tuple[int, int]:
        """Top-left of the window on output frame ``frame``.

        The window advances in whole steps of its longer axis, and the shorter axis moves
        only on those frames: a diagonal pan then changes the picture ``steps`` times, not
        once per pixel of each axis. Rounding is half up, as FFmpeg's ``floor(v+0.5)``,
        with the same floating-point operations as :meth:`expression`.
        """
        if not self.steps:
            return (self.x0, self.y0)
        span = max(1, self.frames - 1)
        step = math.floor(self.steps * (frame - self.first) / span + 0.5)
        return (
            math.floor(self.x0 + self.dx * step / self.steps + 0.5),
            math.floor(self.y0 + self.dy * step / self.steps + 0.5),
        )

    def moved(self, offset: int) -> str:
        """FFmpeg expression, true on chain frame ``n`` (n > 0) where the window moved since
        frame n-1: the same test :func:`plan` uses to pick the pictures."""
        now = [self.expression(a, offset) for a in ("x", "y")]
        before = [self.expression(a, offset - 1) for a in ("x", "y")]
        return f"not(eq({now[0]},{before[0]}))+not(eq({now[1]},{before[1]}))"

    def expression(self, axis: str, offset: int) -> str:
        """FFmpeg expression of the window's ``axis`` ("x"/"y") for input frame ``n`` of a
        chain whose frame 0 is output frame ``self.first + offset`` (see :meth:`position`)."""
        origin, delta = (self.x0, self.dx) if axis == "x" else (self.y0, self.dy)
        if not self.steps:
            return str(origin)
        span = max(1, self.frames - 1)
        step = f"floor({self.steps}*(n+({offset}))/{span}+0.5)"
        return f"floor({origin}+{delta}*{step}/{self.steps}+0.5)"


@dataclass(frozen=True)
class Piece:
    """Frames ``[first, end)`` of the video: one segment alone, or a transition."""

    kind: str  # "still", "clip" or "blend"
    segment: int  # the segment shown (for "blend": the incoming one)
    first: int
    end: int
    states: tuple[int, ...]  # frames where a new picture starts; states[0] == first
    previous: int = -1  # "blend": the outgoing segment
    transition: str = ""

    @property
    def frames(self) -> int:
        return self.end - self.first


@dataclass(frozen=True)
class RenderPlan:
    width: int
    height: int
    fps: int
    total_frames: int
    segments: tuple[Segment, ...]
    visible: tuple[tuple[int, int], ...]  # per segment: [first, end) frames on screen
    pans: tuple[PanPath | None, ...]
    pieces: tuple[Piece, ...]
    cues: tuple[Cue, ...]

    @property
    def pictures(self) -> int:
        """How many pictures the encoder codes."""
        return sum(len(p.states) for p in self.pieces)

    def chunks(self, count: int, max_segments: int = 8) -> list[tuple[Piece, ...]]:
        """The pieces split, in order, into runs of about equal encoding work: a multiple of
        ``count`` runs (so ``count`` workers run out of work together rather than one of them
        finishing a small last run alone), as few as keep every run within ``max_segments``
        segments, which bounds the memory of the process that encodes it (each of its stills
        is held decoded). A run never starts inside a transition."""
        count = max(1, count)
        segments_total = len({p.segment for p in self.pieces})
        wanted = count * max(1, math.ceil(segments_total / max(1, max_segments) / count))
        while True:
            runs = self._split(min(wanted, len(self.pieces)), max_segments)
            if len(runs) % count == 0 or wanted >= len(self.pieces):
                return runs
            # The cap on segments cut a run early and left one over: ask for more runs.
            wanted += count

    def _split(self, wanted: int, max_segments: int) -> list[tuple[Piece, ...]]:
        """The pieces in about ``wanted`` runs of equal work, cut early wherever a run would
        show more than ``max_segments`` segments (then there are more runs than wanted)."""
        weights = [cost(p) for p in self.pieces]
        total = sum(weights)
        runs: list[tuple[Piece, ...]] = []
        current: list[Piece] = []
        done = 0.0
        shown: set[int] = set()
        for piece, weight in zip(self.pieces, weights, strict=True):
            touches = {piece.segment, piece.previous} - {-1}
            target = total * (len(runs) + 1) / wanted
            too_many = len(shown | touches) > max_segments
            # Close the run before this piece when that lands nearer the target than after.
            nearer = abs(done - target) <= abs(done + weight - target)
            if current and (too_many or (len(runs) < wanted - 1 and nearer)):
                runs.append(tuple(current))
                current, shown = [], set()
            current.append(piece)
            shown |= touches
            done += weight
        if current:
            runs.append(tuple(current))
        return runs


# What a piece costs beyond its pictures, in pictures: its pictures' decode and scaling.
_PIECE_COST = 8
# A transition's picture is drawn from two (the blend costs about one more encode).
_BLEND_COST = 2


def cost(piece: Piece) -> int:
    """A piece's encoding work in pictures (a measure for splitting, not a time)."""
    per_picture = _BLEND_COST if piece.kind == "blend" else 1
    return per_picture * len(piece.states) + _PIECE_COST


def any_of(terms: list[str]) -> str:
    """FFmpeg expression true when any of ``terms`` is, nested in balanced pairs (FFmpeg's
    parser recurses per operator, and a flat sum of hundreds of terms overflows it)."""
    if not terms:
        return "0"
    while len(terms) > 1:
        terms = [
            f"({terms[i]}+{terms[i + 1]})" if i + 1 < len(terms) else terms[i]
            for i in range(0, len(terms), 2)
        ]
    return terms[0]


def key_pictures(pieces: tuple[Piece, ...], every: int) -> list[int]:
    """Which encoded pictures of ``pieces`` (consecutive; counted from 0) are to be key
    frames, where a reader can seek to: the first of each shot (a segment shown on its own,
    after its cut or transition), then, outside transitions, the first picture at least
    ``every`` frames after the key frame before it (a long shot's subtitle changes)."""
    keys: list[int] = []
    picture, last = 0, 0
    for piece in pieces:
        for k, frame in enumerate(piece.states):
            if piece.kind != "blend" and (k == 0 or frame - last >= every):
                keys.append(picture)
                last = frame
            picture += 1
    return keys


def holds(pieces: tuple[Piece, ...]) -> list[int]:
    """How many frames each encoded picture of ``pieces`` (consecutive) stays on screen."""
    starts = [s for p in pieces for s in p.states]
    ends = [*starts[1:], pieces[-1].end]
    return [b - a for a, b in zip(starts, ends, strict=True)]


def cue_frames(cues: list[tuple[float, float, str]], fps: int, total: int) -> tuple[Cue, ...]:
    """Cues snapped to the frame grid, clipped to the video, empty ones dropped."""
    return word_cue_frames([(a, b, [(a, text)], None) for a, b, text in cues], fps, total, False)


def word_cue_frames(
    lines: list[tuple[float, float, list[tuple[float, str]], str | None]],
    fps: int,
    total: int,
    by_word: bool = True,
) -> tuple[Cue, ...]:
    """Caption lines ((start_s, end_s, [(word start_s, word), ...], speaker)) snapped to the
    frame grid like :func:`cue_frames`, each word's start too (inside its line) when
    ``by_word``; speakers numbered in the order they first speak."""

    def frame(t: float) -> int:
        return min(total, max(0, round(t * fps)))

    voices = {s: i for i, s in enumerate(dict.fromkeys(s for *_, s in lines if s is not None))}
    out = []
    for start, end, words, speaker in lines:
        first, last = frame(start), frame(end)
        if last > first:
            text = " ".join(w for _, w in words)
            timed = tuple((min(max(frame(t), first), last), w) for t, w in words)
            voice = voices.get(speaker, 0) if speaker is not None else 0
            out.append(Cue(first, last, text, timed if by_word else (), voice))
    return tuple(out)


def pan_path(pan: Pan, size: tuple[int, int], first: int, frames: int) -> PanPath:
    """The window's path for a still visible for ``frames`` frames from ``first``."""
    width, height = size
    # Even sizes keep the 4:2:0 picture whole; the margin is what the window travels over.
    scaled_w = max(width, 2 * math.ceil(width * pan.zoom / 2))
    scaled_h = max(height, 2 * math.ceil(height * pan.zoom / 2))
    free_x, free_y = scaled_w - width, scaled_h - height
    x0, y0 = round(free_x * pan.start[0]), round(free_y * pan.start[1])
    x1, y1 = round(free_x * pan.end[0]), round(free_y * pan.end[1])
    return PanPath(first, frames, (scaled_w, scaled_h), x0, y0, x1 - x0, y1 - y0)


def plan(timeline: Timeline, cues: tuple[Cue, ...] = (), *, collapse: bool = True) -> RenderPlan:
    """Lay ``timeline`` on the frame grid and find the pictures that must be encoded.

    Segments are held from their start until the next one starts (the first from 0, the last
    to the end), so gaps never show black; one shorter than a frame is dropped. A transition
    is centred on the cut and never takes more than half of either segment. With
    ``collapse`` off, every frame is its own picture (for encoders whose streams cannot
    carry skip frames, and for the reference render).
    """
    fps = timeline.fps
    total = max(1, round(timeline.duration_s * fps))
    ordered = timeline.shown()
    starts = [0] + [min(total, max(0, round(s.start * fps))) for s in ordered[1:]]
    ends = [*starts[1:], total]
    kept = [(seg, a, b) for seg, a, b in zip(ordered, starts, ends, strict=True) if b > a]
    # A dropped segment leaves its time to the one before it.
    spans = [
        (a, kept[i + 1][1] if i + 1 < len(kept) else total) for i, (_, a, _) in enumerate(kept)
    ]
    segments = tuple(seg for seg, _, _ in kept)
    windows: list[tuple[int, int]] = [(0, 0)]  # per segment: frames before/after its cut
    for i in range(1, len(segments)):
        tr = segments[i].transition
        frames = round(tr.duration_s * fps) if tr and tr.kind != "cut" else 0
        before = min(frames // 2, (spans[i - 1][1] - spans[i - 1][0]) // 2)
        after = min(frames - frames // 2, (spans[i][1] - spans[i][0]) // 2)
        windows.append((before, after) if before + after >= 2 else (0, 0))
    visible = []
    for i, (a, b) in enumerate(spans):
        lead = windows[i][0]
        tail = windows[i + 1][1] if i + 1 < len(segments) else 0
        visible.append((a - lead, b + tail))
    pans = tuple(
        pan_path(seg.pan, (timeline.width, timeline.height), v[0], v[1] - v[0])
        if seg.kind != "clip" and seg.pan
        else None
        for seg, v in zip(segments, visible, strict=True)
    )
    boundaries = {c.first for c in cues} | {c.end for c in cues}
    boundaries |= {frame for c in cues for frame, _ in c.words}
    overlay_edges = [
        {round(o.start * fps) for o in seg.overlays} | {round(o.end * fps) for o in seg.overlays}
        for seg in segments
    ]
    pieces: list[Piece] = []
    for i, (a, b) in enumerate(spans):
        before, after = windows[i]
        if before + after:
            first, end = a - before, a + after
            pieces.append(
                Piece(
                    "blend",
                    i,
                    first,
                    end,
                    tuple(range(first, end)),
                    previous=i - 1,
                    transition=segments[i].transition.kind,  # type: ignore[union-attr]
                )
            )
        first = a + after
        end = b - (windows[i + 1][0] if i + 1 < len(segments) else 0)
        if end <= first:
            continue
        seg = segments[i]
        if seg.kind == "clip" or not collapse:
            kind = "clip" if seg.kind == "clip" else "still"
            pieces.append(Piece(kind, i, first, end, tuple(range(first, end))))
            continue
        edges = boundaries | overlay_edges[i]
        pan = pans[i]
        states = [first]
        previous = pan.position(first) if pan else None
        for frame in range(first + 1, end):
            position = pan.position(frame) if pan else None
            if frame in edges or position != previous:
                states.append(frame)
            previous = position
        pieces.append(Piece("still", i, first, end, tuple(states)))
    return RenderPlan(
        width=timeline.width,
        height=timeline.height,
        fps=fps,
        total_frames=total,
        segments=segments,
        visible=tuple(visible),
        pans=pans,
        pieces=tuple(pieces),
        cues=cues,
    )


def source_name(path: Path, index: int) -> str:
    """A file name FFmpeg's filtergraph can take without escaping, for input ``index``."""
    suffix = re.sub(r"[^A-Za-z0-9.]", "", path.suffix.lower())[:8] or ".bin"
    return f"src{index:04d}{suffix}"
