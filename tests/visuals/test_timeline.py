from __future__ import annotations

from pathlib import Path

import pytest

from ytempire.models import Narration, Script, TimedText
from ytempire.visuals.timeline import from_script, slide_boundaries

SIZE = (1920, 1080)


def _narration(tmp_path: Path, spans: list[tuple[float, float]], duration: float) -> Narration:
    """Two sentences per block, inside each (start, end) span."""
    sentences = []
    for block, (start, end) in enumerate(spans):
        mid = (start + end) / 2
        sentences += [
            TimedText(text=f"b{block} one.", start=start, end=mid - 0.05, block=block),
            TimedText(text=f"b{block} two.", start=mid, end=end, block=block),
        ]
    return Narration(
        engine="test",
        audio_path=tmp_path / "narration.wav",
        subtitles_path=tmp_path / "narration.srt",
        duration_s=duration,
        sample_rate=22050,
        sentences=sentences,
    )


SPANS = [(0.2, 4.0), (4.6, 10.0), (10.4, 15.5), (16.1, 20.0), (20.5, 24.0), (24.3, 27.8)]


def test_slides_tile_the_narration_without_gaps(script: Script, tmp_path: Path) -> None:
    narration = _narration(tmp_path, SPANS, 28.4)
    paths = [tmp_path / f"slide_{i:02d}.png" for i in range(len(SPANS))]
    tl = from_script(script, narration, SIZE, paths)
    assert tl.engine == "pillow"
    assert (tl.width, tl.height, tl.fps) == (1920, 1080, 30)
    assert tl.duration_s == 28.4
    assert tl.audio_path == narration.audio_path
    assert tl.subtitles_path == narration.subtitles_path
    assert [s.image_path for s in tl.slides] == paths
    assert [s.kind for s in tl.slides] == [b.kind for b in script.blocks()]
    assert tl.slides[0].start == 0
    assert tl.slides[-1].end == pytest.approx(28.4)
    for a, b in zip(tl.slides, tl.slides[1:], strict=False):
        assert a.end == b.start
    assert sum(s.duration for s in tl.slides) == pytest.approx(28.4)
    # Each cut sits in the middle of the pause between two blocks.
    for slide, (_, end), (next_start, _) in zip(tl.slides, SPANS, SPANS[1:], strict=False):
        assert slide.end == pytest.approx((end + next_start) / 2)
    # And every block's words fall inside its own slide.
    for slide, (start, end) in zip(tl.slides, SPANS, strict=True):
        assert slide.start <= start and end <= slide.end


def test_overlapping_blocks_cut_at_the_next_blocks_start() -> None:
    assert slide_boundaries([(0.0, 5.0), (4.5, 9.0)], 9.5) == [0.0, 4.5, 9.5]


def test_a_slide_count_that_differs_from_the_blocks_is_a_one_line_error(
    script: Script, tmp_path: Path
) -> None:
    narration = _narration(tmp_path, SPANS, 28.4)
    with pytest.raises(ValueError, match=r"got 5 slides for 6 script blocks") as caught:
        from_script(script, narration, SIZE, [tmp_path / "x.png"] * 5)
    assert "\n" not in str(caught.value)


def test_a_narration_missing_a_block_is_an_error(script: Script, tmp_path: Path) -> None:
    narration = _narration(tmp_path, SPANS[:5], 24.5)
    with pytest.raises(ValueError, match="timings for 5 blocks"):
        from_script(script, narration, SIZE, [tmp_path / "x.png"] * 6)


def test_timings_past_the_audio_end_are_an_error() -> None:
    with pytest.raises(ValueError, match="out of order or past"):
        slide_boundaries([(0.0, 5.0), (6.0, 9.0)], 5.2)
