"""The voice stage offline in another language: the language's engine speaks, named as it is.

A Spanish job with no keys and no Piper folder is spoken by eSpeak NG, which the stage
record (and so the stage table) names as the robotic last resort; an accent no offline
voice has is a line in the stage's fallbacks, not silence.
"""

from __future__ import annotations

import uuid
from itertools import pairwise
from pathlib import Path

import pytest
from prefect import flow

from tasks.voice import synthesize_voice
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import Narration, Script, Section, VideoJob
from ytempire.settings import Settings
from ytempire.voice.words import split_words
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

SCRIPT = Script(
    engine="test",
    title="Por qué brillan los agujeros negros",
    hook="Los agujeros negros no son del todo negros.",
    sections=[Section(heading="El borde", narration="Cerca del borde aparecen partículas.")],
    summary="Así se evaporan, muy despacio.",
    cta="Suscríbete para ver más.",
    markdown_path=Path("script.md"),
    language="es",
)


@flow
def voice_only(job: VideoJob, run_id: uuid.UUID) -> Narration:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return synthesize_voice(job, SCRIPT, settings, run_id)


def test_a_spanish_job_offline_is_espeak_named_robotic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    for name in (
        "ELEVENLABS_API_KEY",
        "YTEMPIRE_GOOGLE_TTS_ENDPOINT",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "YTEMPIRE_MUSIC_DIR",
        "YTEMPIRE_PIPER_VOICES_DIR",
    ):
        monkeypatch.delenv(name, raising=False)
    job = VideoJob(topic="Agujeros negros", language="es", accent="es-GQ")
    run_id = uuid.uuid4()
    narration = voice_only(job, run_id)
    assert narration.engine == "espeak-ng:es+m3 (robotic last resort)"
    assert narration.fallbacks == [
        "accent es-GQ skipped: no offline voice speaks it (Piper folder, eSpeak NG); "
        "the es voice speaks"
    ]
    (event,) = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert event.model_used == narration.engine
    # eSpeak's word events time every word, in order.
    spoken = [w for b in SCRIPT.blocks() for w in split_words(b.text)]
    assert [w.text for w in narration.words] == spoken
    assert all(a.end <= b.start for a, b in pairwise(narration.words))
