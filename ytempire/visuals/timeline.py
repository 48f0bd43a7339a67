"""When each picture is on screen: the script's blocks laid over the narration's timings.

Every block gets its card; a section with footage or a chart shows its card first, then its
shots, each with a lower third. Cuts between blocks sit in the pauses of the narration and
get the configured transition; photos pan slowly. A style preset (``visuals.presets``) sets
how long cards and shots hold, the transitions and the pan; without one, the transition
settings adjust the standard look.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

from ytempire.models import (
    Narration,
    Overlay,
    Pan,
    Script,
    Segment,
    Slide,
    Timeline,
    Transition,
)
from ytempire.visuals.presets import StylePreset, standard

ENGINE = "pillow"
FPS = 30
# Pans alternate direction so consecutive photos do not all drift the same way.
PANS = (
    Pan(start=(0.0, 0.5), end=(1.0, 0.5)),
    Pan(start=(1.0, 0.3), end=(0.0, 0.7)),
    Pan(start=(0.5, 0.0), end=(0.5, 1.0)),
)


@dataclass(frozen=True)
class Shot:
    """A picture shown during a block after its card: a clip, a photo or a chart."""

    kind: str  # "clip", "photo" or "chart"
    path: Path
    lower_third: Path | None = None
    start_s: float = 0.0  # where a clip starts playing (its liveliest stretch)


def _shot_transition(pace: StylePreset, *, first: bool) -> Transition | None:
    """Into a block's first shot (from its card) or from one shot to the next; None: a cut."""
    kind = pace.into_shots if first else pace.between_shots
    if not pace.shot_transition_s or kind == "cut":
        return None
    return Transition(kind=kind, duration_s=pace.shot_transition_s)


def slide_boundaries(spans: list[tuple[float, float]], duration_s: float) -> list[float]:
    """Cut points between consecutive blocks: ``len(spans) + 1`` times from 0 to ``duration_s``.

    A cut sits at the middle of the pause between one block's last word and the next
    block's first, so a slide neither vanishes while its words are still spoken nor appears
    long before they start. Where blocks overlap, the cut is the next block's start. Raises
    ValueError (one line) when the spans are out of order or leave a block no time.
    """
    cuts = [0.0]
    for (_, end), (next_start, _) in itertools.pairwise(spans):
        cut = (end + next_start) / 2 if next_start >= end else next_start
        cuts.append(min(max(cut, 0.0), duration_s))
    cuts.append(float(duration_s))
    for i, (a, b) in enumerate(itertools.pairwise(cuts)):
        if b <= a:
            raise ValueError(
                f"block {i} would be on screen for {b - a:.3f}s (cut points {a:.3f} -> {b:.3f});"
                " narration timings are out of order or past the audio's end"
            )
    return cuts


def from_script(
    script: Script,
    narration: Narration,
    size: tuple[int, int],
    slide_paths: list[Path],
    *,
    shots: dict[int, list[Shot]] | None = None,
    transition: str = "fade",
    transition_s: float = 0.5,
    pan_pictures: bool = True,
    notes: list[str] | None = None,
    preset: StylePreset | None = None,
) -> Timeline:
    """A Timeline with slide i on screen while block i of ``script`` is narrated, and the
    segments to render: each block's card, then its ``shots`` (keyed by block index).

    The slides tile the whole narration with no gaps: the first starts at 0, each ends where
    the next starts, the last ends at ``narration.duration_s``. A block too short for its
    shots keeps as many as fit the preset's ``shot_s`` each. ``preset`` sets the holds,
    transitions and pan; without one, ``transition``, ``transition_s`` and ``pan_pictures``
    adjust the standard look. Raises ValueError (one line) when the number of slides, script
    blocks and narrated blocks disagree.
    """
    pace = preset or standard(transition, transition_s, pan_pictures)
    blocks = script.blocks()
    if len(slide_paths) != len(blocks):
        raise ValueError(
            f"got {len(slide_paths)} slides for {len(blocks)} script blocks; need one per block"
        )
    spans = narration.block_spans()
    if len(spans) != len(blocks):
        raise ValueError(
            f"narration has timings for {len(spans)} blocks but the script has {len(blocks)}"
        )
    cuts = slide_boundaries(spans, narration.duration_s)
    slides = [
        Slide(image_path=Path(path), start=start, end=end, kind=block.kind)
        for path, block, (start, end) in zip(
            slide_paths, blocks, itertools.pairwise(cuts), strict=True
        )
    ]
    between = (
        Transition(kind=pace.transition, duration_s=pace.transition_s)
        if pace.transition_s and pace.transition != "cut"
        else None
    )
    shot_s = pace.shot_transition_s
    segments: list[Segment] = []
    pans = itertools.cycle(
        [p.model_copy(update={"zoom": pace.pan_zoom}) for p in PANS] if pace.pan_zoom else [None]
    )
    for index, slide in enumerate(slides):
        block_shots = (shots or {}).get(index, [])
        room = slide.duration - min(pace.card_s, slide.duration / 3)
        keep = min(len(block_shots), int(room // pace.shot_s))
        card_end = slide.end if keep == 0 else slide.end - room
        segments.append(
            Segment(
                kind="still",
                path=slide.image_path,
                start=slide.start,
                end=card_end,
                label=slide.kind,
                transition=between if index else None,
            )
        )
        if keep < len(block_shots) and notes is not None:
            notes.append(
                f"block {index} ({slide.kind}) is {slide.duration:.1f}s long: "
                f"showing {keep} of its {len(block_shots)} shots"
            )
        step = room / keep if keep else 0.0
        for k, shot in enumerate(block_shots[:keep]):
            start = card_end + k * step
            end = min(slide.end, start + step)
            overlays = []
            if shot.lower_third is not None:
                # On screen once the transition has settled, gone before the next one.
                a, b = start + shot_s, end - shot_s / 2
                if b - a >= 1.0:
                    overlays.append(
                        Overlay(kind="lower_third", image_path=shot.lower_third, start=a, end=b)
                    )
            segments.append(
                Segment(
                    kind="clip"
                    if shot.kind == "clip"
                    else ("chart" if shot.kind == "chart" else "still"),
                    path=shot.path,
                    start=start,
                    end=end,
                    label=shot.kind,
                    pan=next(pans) if shot.kind == "photo" else None,
                    transition=_shot_transition(pace, first=k == 0),
                    overlays=overlays,
                    fit="contain" if shot.kind == "chart" else "cover",
                    clip_start_s=shot.start_s if shot.kind == "clip" else 0.0,
                )
            )
    width, height = int(size[0]), int(size[1])
    return Timeline(
        engine=ENGINE,
        width=width,
        height=height,
        fps=FPS,
        duration_s=narration.duration_s,
        slides=slides,
        audio_path=narration.audio_path,
        subtitles_path=narration.subtitles_path,
        words_path=narration.words_path,
        segments=segments,
        notes=list(notes or []),
    )
