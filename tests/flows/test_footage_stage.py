"""The visuals stage's footage under Prefect, against the local Pexels server and a library:
a channel with ``footage_library_first`` takes the library's clip first and Pexels' best
ranked for the rest, and its next video shows none of the clips the first one showed."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.flows.test_visuals_stage import visuals_only, workspace  # noqa: F401  (fixture)
from tests.servers.pexels import KEY, PexelsServer, sample_mp4
from tests.visuals.conftest import make_script, narration_for
from ytempire.analytics import footage_usage
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import VideoJob, VisualCue
from ytempire.settings import Settings

LABELLED = [
    (11, (1920, 1080), "city-traffic-at-night"),
    (12, (1080, 1920), "black-hole-in-space"),
    (13, (1920, 1080), "black-hole-event-horizon"),
    (14, (1920, 1080), "hawking-radiation-black-hole"),
]


def test_library_first_then_ranked_pexels_and_no_repeat_in_the_channels_next_video(
    workspace: Path,  # noqa: F811
    pexels_server: PexelsServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for video_id, size, slug in LABELLED:
        pexels_server.add_video(video_id, sample_mp4(), size, "Ann", slug=slug, duration=20)
    library = tmp_path / "library"
    library.mkdir()
    (library / "black-hole-hawking-radiation.mp4").write_bytes(sample_mp4())
    monkeypatch.setenv("PEXELS_API_KEY", KEY)
    monkeypatch.setenv("YTEMPIRE_PEXELS_API_ENDPOINT", pexels_server.url)
    monkeypatch.setenv("YTEMPIRE_ASSET_LIBRARY", str(library))
    script = make_script(tmp_path)
    for section in script.sections[:2]:  # "What is Hawking radiation?", then another
        section.visual_cues.append(VisualCue(kind="stock_footage", keywords=["black hole"]))
    narration = narration_for(script, 30.0, tmp_path)
    store = AnalyticsStore(Settings().analytics_url)

    def shown(job: VideoJob) -> list[str]:
        timeline = visuals_only(job, script, narration)
        assert sum(s.kind == "clip" for s in timeline.segments) == 2, timeline.fallbacks
        return sorted(footage_usage.recent(store, "science", 1, but=""))

    # The first cue (over "... Hawking radiation ... event horizon") from the library; the
    # second (over "... Near the horizon ...") from Pexels: the event-horizon clip.
    first = shown(VideoJob(channel="science", footage_library_first=True))
    assert first == ["library:black-hole-hawking-radiation.mp4", "pexels:video:13"]
    # Those two were shown last time: the first cue gets Pexels' Hawking-radiation clip, the
    # second the best left (relevant but portrait), never the one about traffic.
    second = shown(VideoJob(channel="science", footage_library_first=True))
    assert second == ["pexels:video:12", "pexels:video:14"]
