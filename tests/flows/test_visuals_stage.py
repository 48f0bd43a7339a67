"""The visuals stage under Prefect draws each channel in its own brand and pace: the job's
palette on every card, its corrections recorded, its preset's transitions, its marks and
caption style on the timeline; the default job stays as it was."""

from __future__ import annotations

import uuid
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from prefect import flow

from tasks.visuals import build_visuals
from tests.visuals.conftest import make_script, narration_for
from ytempire.models import Narration, Script, Timeline, VideoJob
from ytempire.settings import Settings
from ytempire.visuals.palette import DEFAULT_PALETTE, Palette
from ytempire.workspace import VideoFolder


@flow
def visuals_only(job: VideoJob, script: Script, narration: Narration) -> Timeline:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return build_visuals(job, script, narration, settings, uuid.uuid4())


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.delenv("PEXELS_API_KEY", raising=False)
    monkeypatch.setenv("YTEMPIRE_COMPUTE_USD_PER_CPU_HOUR", "0")
    return tmp_path / "runs"


def _corner(path: Path) -> tuple[int, int, int]:
    """The colour of a card's top-left corner: the start of its background gradient."""
    with Image.open(path) as image:
        return image.convert("RGB").getpixel((2, 2))  # type: ignore[return-value]


def test_each_job_is_drawn_in_its_brand_and_pace(workspace: Path, tmp_path: Path) -> None:
    script = make_script(tmp_path)
    narration = narration_for(script, 30.0, tmp_path)
    logo = tmp_path / "logo.png"
    Image.new("RGBA", (64, 64), (255, 0, 0, 255)).save(logo)
    plain = visuals_only(VideoJob(), script, narration)
    money = visuals_only(
        VideoJob(
            channel="money-basics",
            brand_colours=("#1B5E20", "#FAFAFA"),
            style_preset="data-story",
            logo=logo,
            intro=True,
            end_screen_s=6,
        ),
        script,
        narration,
    )
    # The default job: the default palette, the house transitions, no marks, stock captions.
    assert {_corner(s.image_path) for s in plain.slides} == {DEFAULT_PALETTE.background_top}
    assert {s.transition.kind for s in plain.segments[1:] if s.transition} == {"fade"}
    assert (plain.fallbacks, plain.subtitle_style) == ([], "")
    assert not any(s.overlays for s in plain.segments)
    # The money channel: green cards, wipes, an intro, an end screen, a watermark, and the
    # green palette's too-dim muted text corrected on the record.
    green = Palette.from_brand(["#1B5E20", "#FAFAFA"]).background_top
    assert all(np.abs(np.subtract(_corner(s.image_path), green)).max() <= 2 for s in money.slides)
    shown = money.shown()
    assert shown[0].label == "intro" and shown[-1].label == "end_screen"
    assert {s.transition.kind for s in shown[2:-1] if s.transition} == {"wipeleft"}
    assert all(o.kind == "logo" for s in shown[1:-1] for o in s.overlays)
    assert any(s.overlays for s in shown[1:-1])
    (note,) = money.fallbacks
    assert note.startswith("brand muted text #c6d7c7") and note in money.notes
    assert "OutlineColour=&H40205E1B" in money.subtitle_style
    assert "Fontsize=40" in money.subtitle_style
