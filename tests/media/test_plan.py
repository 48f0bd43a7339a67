"""The plan: which frames must be encoded, and how the work is split."""

from __future__ import annotations

import itertools
from pathlib import Path

from ytempire.media.plan import Cue, any_of, cost, cue_frames, holds, plan
from ytempire.media.subtitles import parse_srt
from ytempire.models import Pan, Segment, Slide, Timeline, Transition


def _timeline(tmp_path: Path, segments: list[Segment], duration: float = 10.0) -> Timeline:
    return Timeline(
        engine="test",
        width=1920,
        height=1080,
        duration_s=duration,
        slides=[Slide(image_path=tmp_path / "a.png", start=0, end=duration, kind="hook")],
        segments=segments,
        audio_path=tmp_path / "n.wav",
    )


def _still(tmp_path: Path, start: float, end: float, **kw: object) -> Segment:
    return Segment(kind="still", path=tmp_path / f"{start}.png", start=start, end=end, **kw)


def test_a_static_still_is_one_picture_per_subtitle_change(tmp_path: Path) -> None:
    laid = plan(
        _timeline(tmp_path, [_still(tmp_path, 0, 10)]), (Cue(30, 90, "a"), Cue(100, 150, "b"))
    )
    (piece,) = laid.pieces
    assert piece.states == (0, 30, 90, 100, 150)
    assert holds(laid.pieces) == [30, 60, 10, 50, 150]
    assert laid.pictures == 5 and laid.total_frames == 300


def test_without_collapse_every_frame_is_a_picture(tmp_path: Path) -> None:
    laid = plan(_timeline(tmp_path, [_still(tmp_path, 0, 2)], 2.0), collapse=False)
    assert laid.pictures == 60 and set(holds(laid.pieces)) == {1}


def test_a_pan_adds_a_picture_per_pixel_step_only(tmp_path: Path) -> None:
    pan = Pan(start=(0, 0.5), end=(1, 0.5), zoom=1.05)
    laid = plan(_timeline(tmp_path, [_still(tmp_path, 0, 10, pan=pan)]))
    path = laid.pans[0]
    assert path is not None and path.dx == 96 and path.dy == 0
    (piece,) = laid.pieces
    assert len(piece.states) == 97  # one picture per pixel moved, not 300
    assert all(path.position(f) != path.position(f - 1) for f in piece.states[1:])


def test_a_transition_is_centred_on_the_cut_and_encoded_frame_by_frame(tmp_path: Path) -> None:
    segments = [
        _still(tmp_path, 0, 5),
        _still(tmp_path, 5, 10, transition=Transition(kind="wipeleft", duration_s=0.5)),
    ]
    laid = plan(_timeline(tmp_path, segments))
    kinds = [(p.kind, p.first, p.end, len(p.states)) for p in laid.pieces]
    assert kinds == [("still", 0, 143, 1), ("blend", 143, 158, 15), ("still", 158, 300, 1)]
    assert laid.pieces[1].transition == "wipeleft" and laid.pieces[1].previous == 0
    assert laid.visible == ((0, 158), (143, 300))


def test_chunks_are_balanced_and_bounded(tmp_path: Path) -> None:
    segments = [
        _still(tmp_path, i, i + 1, transition=Transition() if i else None) for i in range(30)
    ]
    laid = plan(_timeline(tmp_path, segments, 30.0), collapse=False)
    runs = laid.chunks(2, max_segments=8)
    assert [p for run in runs for p in run] == list(laid.pieces)
    assert all(
        len({p.segment for p in run} | {p.previous for p in run} - {-1}) <= 8 for run in runs
    )
    # Bounded runs need at least 4; two workers get an even number of about equal runs, so
    # neither finishes a small last run alone while the other idles.
    assert len(runs) >= 4 and len(runs) % 2 == 0
    work = [sum(map(cost, run)) for run in runs]
    assert max(work) <= 1.5 * min(work)


def test_srt_cues_snap_to_the_frame_grid() -> None:
    text = "1\n00:00:00,500 --> 00:00:01,000\nHello\n\n2\n00:00:09,990 --> 00:00:12,000\nEnd\n"
    cues = cue_frames(parse_srt(text), 30, 300)
    assert cues == (Cue(15, 30, "Hello"),)  # the second starts at the very end: dropped


def test_any_of_nests_terms_in_pairs() -> None:
    assert any_of([]) == "0"
    assert any_of(["a", "b", "c"]) == "((a+b)+c)"


def test_a_diagonal_pan_moves_both_axes_on_the_same_frames(tmp_path: Path) -> None:
    pan = Pan(start=(0, 0.25), end=(1, 0.75), zoom=1.05)
    laid = plan(_timeline(tmp_path, [_still(tmp_path, 0, 10, pan=pan)]))
    path = laid.pans[0]
    assert path is not None and (path.dx, path.dy, path.steps) == (96, 26, 96)
    (piece,) = laid.pieces
    assert len(piece.states) == 97  # the longer axis's steps, not 96 + 26
    positions = [path.position(f) for f in range(300)]
    assert positions[0] == (0, path.y0) and positions[-1] == (96, path.y0 + 26)
    assert all(0 <= b[1] - a[1] <= 1 for a, b in itertools.pairwise(positions))
