"""Style presets change how long visuals hold, the transitions and the pan, as documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.visuals.conftest import narration_for
from ytempire.models import STYLE_PRESETS, Script, Segment, Timeline
from ytempire.visuals.presets import PRESET_NAMES, PRESETS, preset_named
from ytempire.visuals.timeline import Shot, from_script

SIZE = (1920, 1080)
# What docs/branding.md says of each preset: card hold, shortest shot, between blocks
# (kind, seconds), into shots, between shots (kind, seconds; cut = none), pan zoom.
DOCUMENTED = {
    None: (4.0, 2.0, ("fade", 0.5), "slideleft", ("dissolve", 0.5), 1.08),
    "calm-explainer": (8.0, 8.0, ("fade", 0.6), "fade", ("fade", 0.6), 1.04),
    "fast-cuts": (2.0, 2.5, ("slideleft", 0.3), "cut", ("cut", 0.0), None),
    "data-story": (4.0, 6.0, ("wipeleft", 0.5), "slideup", ("fade", 0.5), None),
}


def _timeline(script: Script, folder: Path, preset: str | None) -> Timeline:
    """A 180 s video (30 s a block) whose first section has five photos."""
    narration = narration_for(script, 180.0, folder)
    paths = [folder / f"slide_{i}.png" for i in range(len(script.blocks()))]
    photos = [Shot("photo", folder / f"photo_{k}.png") for k in range(5)]
    return from_script(
        script,
        narration,
        SIZE,
        paths,
        shots={1: photos},
        preset=preset_named(preset) if preset else None,
    )


def _kind(segment: Segment) -> tuple[str, float]:
    t = segment.transition
    return ("cut", 0.0) if t is None else (t.kind, t.duration_s)


@pytest.mark.parametrize("name", list(DOCUMENTED))
def test_each_preset_sets_holds_transitions_and_pan_as_documented(
    script: Script, tmp_path: Path, name: str | None
) -> None:
    card_s, shot_s, between_blocks, into_shots, between_shots, zoom = DOCUMENTED[name]
    tl = _timeline(script, tmp_path, name)
    block = tl.slides[1]
    card, *shots = [s for s in tl.segments if block.start <= s.start < block.end]
    # The card holds card_s (a third of the block at most), then as many shots as fit shot_s.
    assert card.end - card.start == pytest.approx(min(card_s, block.duration / 3))
    room = block.duration - (card.end - card.start)
    assert len(shots) == min(5, int(room // shot_s))
    assert all(s.end - s.start >= shot_s - 1e-9 for s in shots)
    # Between blocks, into the shots and between them.
    cards = [s for s in tl.segments if s.label != "photo"]
    assert {_kind(s) for s in cards[1:]} == {between_blocks}
    assert _kind(shots[0])[0] == into_shots
    assert {_kind(s) for s in shots[1:]} == {between_shots}
    # The pan: photos move across the zoomed margin, or stay still.
    assert {s.pan.zoom if s.pan else None for s in shots} == {zoom}


def test_presets_differ_where_they_say() -> None:
    calm, fast, data = (PRESETS[n] for n in ("calm-explainer", "fast-cuts", "data-story"))
    assert calm.card_s > data.card_s > fast.card_s
    assert calm.shot_s > data.shot_s > fast.shot_s
    assert fast.transition_s < data.transition_s < calm.transition_s
    # Bold, larger captions for fast cuts; smaller and lower for data stories.
    assert "Bold=1" in fast.caption and "Fontsize=60" in fast.caption
    assert "Fontsize=40" in data.caption and "MarginV=36" in data.caption


def test_each_preset_has_one_description_and_the_models_know_the_same_names() -> None:
    assert PRESET_NAMES == STYLE_PRESETS
    for preset in PRESETS.values():
        assert len(preset.description) > 80
        assert f"{preset.card_s:g} s" in preset.description


def test_an_unknown_preset_is_a_one_line_error() -> None:
    with pytest.raises(ValueError, match="unknown style preset 'slow'; expected one of calm"):
        preset_named("slow")
