"""The analytics-report flow under Prefect, and the metrics every recorded stage sends."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prefect import flow
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from prefect.events.filters import EventFilter, EventIDFilter, EventNameFilter
from prefect.events.schemas.events import Event

from flows.report import ALERTS_KEY, ARTIFACT_KEY, analytics_report
from tasks.costs import ledger_for
from tasks.recording import run_stage
from tests.analytics import fixture
from tests.analytics.test_metrics import pushgateway  # noqa: F401  (a pytest fixture)
from ytempire.analytics import queue
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import ContentType, Stage, StageOutput, VideoJob
from ytempire.settings import Settings

UNTIL = datetime(2026, 11, 23, tzinfo=UTC)


def _events(ids: list[str], timeout: float = 30.0) -> list[Event]:
    """The events with these ids, once the server has stored them all."""
    wanted = EventFilter(
        id=EventIDFilter(id=[uuid.UUID(i) for i in ids]),
        event=EventNameFilter(prefix=["ytempire.alert."]),
    )
    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_events(wanted, limit=50)
            if len(page.events) >= len(ids) or time.monotonic() > deadline:
                return page.events
            time.sleep(0.5)


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("YTEMPIRE_DATABASE_URL", "YTEMPIRE_REDIS_URL", "YTEMPIRE_PUSHGATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    root = tmp_path / "runs"
    fixture.load(AnalyticsStore(Settings(workspace=root).analytics_url))
    return root


def test_report_flow_emits_an_event_per_alert_and_writes_artifacts(
    workspace: Path,
    monkeypatch: pytest.MonkeyPatch,
    pushgateway: tuple[str, list[tuple[str, str, str]]],  # noqa: F811
) -> None:
    url, received = pushgateway
    monkeypatch.setenv("YTEMPIRE_PUSHGATEWAY_URL", url)
    result = analytics_report(since="5d", until=UNTIL, workspace=str(workspace))

    assert [(a["rule"], a["subject"]) for a in result.alerts] == [
        ("cost_per_video", fixture.V2),
        ("quality", "script/template"),
        ("failure_rate", "pipeline"),
        ("failure_rate", "render"),
        ("failure_rate", "voice"),
        ("fallback_rate", "script/gpt-4-turbo"),
        ("p95_latency", "gpt-3.5-turbo/script_generation"),
    ]
    assert len(result.events) == 7
    events = _events(result.events)
    assert sorted(e.event for e in events) == sorted(
        f"ytempire.alert.{a['rule']}" for a in result.alerts
    )
    cost = next(e for e in events if e.event == "ytempire.alert.cost_per_video")
    assert cost.resource.id == f"ytempire.alert.cost_per_video.{fixture.V2}"
    assert cost.resource["ytempire.alert.severity"] == "high"
    assert cost.payload["value"] == 0.54 and cost.payload["threshold"] == 0.45

    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ARTIFACT_KEY])),
            sort=ArtifactSort.CREATED_DESC,  # this run's: other tests write this key too
            limit=1,
        )
        (table,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[ALERTS_KEY])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    assert artifact.type == "markdown"
    assert str(artifact.data).startswith("# Optimization report")
    assert str(artifact.data).count("](data:image/png;base64,") == 5
    assert table.type == "table" and "cost_per_video" in str(table.data)

    assert result.pushed
    ((method, path, body),) = received
    assert (method, path) == ("PUT", "/metrics/job/ytempire")
    assert "model_latency_p95" in body


def test_a_quiet_window_emits_nothing(workspace: Path) -> None:
    result = analytics_report(since="2h", until=UNTIL, workspace=str(workspace))
    assert result.alerts == [] and result.events == [] and not result.pushed


@flow
def stages_of_a_video(job: VideoJob, settings: Settings, run_id: uuid.UUID) -> None:
    def script() -> StageOutput:
        # A paid call is a row of the video's cost ledger: the stage's cost is read from it.
        ledger_for(settings).record(
            job.video_id,
            run_id,
            Stage.script,
            "gpt-4o-mini",
            kind="call",
            quantity=1,
            unit="call",
            cost_usd=0.02,
        )
        return StageOutput(engine="gpt-4o-mini")

    run_stage(Stage.script, run_id, settings, script)
    run_stage(Stage.voice, run_id, settings, lambda: StageOutput(engine="piper:en_US-joe-medium"))
    run_stage(Stage.tracking, run_id, settings, lambda: StageOutput(engine="analytics-db"))


@pytest.mark.parametrize("through", ["store", "redis"])
def test_every_recorded_stage_sends_its_metrics(
    through: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    extra = {}
    if through == "redis":
        extra = {
            "redis_url": request.getfixturevalue("redis_server"),
            "metrics_prefix": request.getfixturevalue("redis_prefix"),
        }
    settings = Settings(workspace=tmp_path / "runs", **extra)
    job = VideoJob(topic="Tides", minutes=2, content_type=ContentType.news_commentary)
    stages_of_a_video(job, settings, uuid.uuid4())
    queue.close_all()  # what the process does at exit: flush the Redis batch
    samples = {
        s.name: (s.labels, s.value) for s in AnalyticsStore(settings.analytics_url).samples()
    }
    assert samples["script_generation_time_seconds"][0] == (
        '{"content_type": "news_commentary", "model": "gpt-4o-mini"}'
    )
    assert samples["voice_synthesis_time_seconds"][0] == (
        '{"provider": "piper", "voice_profile": "professional_male"}'
    )
    assert samples["cost_per_video_dollars"] == (
        '{"channel_type": "news_commentary", "video_length": "1-3min"}',
        0.02,
    )
