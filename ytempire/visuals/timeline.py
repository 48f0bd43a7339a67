"""When each slide is on screen: the script's blocks laid over the narration's timings."""

from __future__ import annotations

import itertools
from pathlib import Path

from ytempire.models import Narration, Script, Slide, Timeline

ENGINE = "pillow"
FPS = 30


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
    script: Script, narration: Narration, size: tuple[int, int], slide_paths: list[Path]
) -> Timeline:
    """A Timeline with slide i on screen while block i of ``script`` is narrated.

    The slides tile the whole narration with no gaps: the first starts at 0, each ends where
    the next starts, the last ends at ``narration.duration_s``. Raises ValueError (one line)
    when the number of slides, script blocks and narrated blocks disagree.
    """
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
    )
