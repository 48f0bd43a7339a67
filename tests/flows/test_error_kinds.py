"""Each failure's kind is stored with its stage row (``ai_pipeline_events.error_kind``): from
``kind_of`` when a stage fails, and for a stage that completed after fallbacks, the kind of the
first engine passed over. The views read that, never the message."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from prefect import flow

from tasks.recording import run_stage
from tasks.script import write_script
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.errors import StageFailed
from ytempire.models import Script, Stage, StageOutput, Topic, VideoJob
from ytempire.resilience.errors import ProviderTimeout
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

KEY = "sk-test-THISKEYMUSTNEVERLEAK0123456789"
TOPIC = Topic(engine="requested", title="Tides", keywords=["moon", "tides"], reason="test")


@flow
def script_only(job: VideoJob, run_id: uuid.UUID) -> Script:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return write_script(job, TOPIC, settings, run_id)


@flow
def failing_stage(error: Exception, run_id: uuid.UUID) -> None:
    def produce() -> StageOutput:
        raise error

    run_stage(Stage.render, run_id, Settings(), produce)


@pytest.fixture
def settings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> Settings:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    return Settings()


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (ProviderTimeout("openai", "no answer"), "model_timeout"),
        # Reads like a quota problem; it is not a provider error, so it is stored as "other".
        (RuntimeError("ffmpeg: quota of frames exceeded"), "other"),
    ],
)
def test_a_failed_stage_stores_its_kind(settings: Settings, error: Exception, kind: str) -> None:
    run_id = uuid.uuid4()
    with pytest.raises(StageFailed):
        failing_stage(error, run_id)
    (row,) = AnalyticsStore(settings.analytics_url).events(run_id)
    assert (row.status, row.error_kind) == ("failed", kind)


def test_a_fallback_keeps_the_kind_of_the_engine_passed_over(
    settings: Settings, openai_server: OpenAICompatibleServer
) -> None:
    openai_server.default = "401"  # every model refuses: rejected, not retried
    run_id = uuid.uuid4()
    script = script_only(VideoJob(topic=TOPIC.title), run_id)
    assert script.engine == "template" and script.fallbacks
    store = AnalyticsStore(settings.analytics_url)
    (row,) = [e for e in store.events(run_id) if e.stage == "script"]
    # The lines end in their kinds; the row keeps the first (the primary's), as data.
    kinds = [line.rsplit("[", 1)[1].rstrip("]") for line in script.fallbacks]
    assert "rejected" in kinds
    assert (row.status, row.error_kind) == ("completed", kinds[0])
    window = views.Window(row.started_at.replace(year=2000), row.started_at.replace(year=2100))
    (rate,) = [r for r in views.fallback_rates(store, window) if r.stage == "script"]
    assert rate.fallback_kinds == {kinds[0]: 1}
