"""The model-evaluation flow (drift artifact and alert events) and the analytics report's
experiment artifacts, under Prefect."""

from __future__ import annotations

import time
import uuid
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.client.schemas.sorting import ArtifactSort
from prefect.events.filters import EventFilter, EventIDFilter
from prefect.variables import Variable

from flows.evaluation import ARTIFACT_KEY, model_evaluation
from flows.report import analytics_report
from tasks.experiments import VARIABLE, declared
from tests.learning.test_drift import NOW, store_with_pace
from tests.learning.test_experiments import demo_jobs
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import experiments
from ytempire.settings import REPO_ROOT, Settings


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("YTEMPIRE_DATABASE_URL", "YTEMPIRE_REDIS_URL", "YTEMPIRE_PUSHGATEWAY_URL"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "runs"


def artifact(key: str) -> str | None:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,  # the newest: other tests write these keys too
        )
    return str(found[0].data) if found else None


def test_a_pace_shift_is_a_drift_alert(workspace: Path) -> None:
    store_with_pace(AnalyticsStore(Settings(workspace=workspace).analytics_url), 165.0)
    run = model_evaluation(until=NOW, workspace=str(workspace))
    assert run.drifted == ["words_per_minute"]
    assert len(run.events) == 1
    deadline = time.monotonic() + 30
    with get_client(sync_client=True) as client:
        while True:
            page = client.read_events(
                EventFilter(id=EventIDFilter(id=[uuid.UUID(run.events[0])])), limit=5
            )
            if page.events or time.monotonic() > deadline:
                break
            time.sleep(0.5)
    (event,) = page.events
    assert event.event == "ytempire.alert.drift"
    assert event.payload["subject"] == "words_per_minute"
    assert "PSI" in event.payload["shift"] and "→" in event.payload["message"]
    table = artifact(ARTIFACT_KEY)
    assert table is not None and "words_per_minute" in table and "drift" in table


def test_the_report_writes_an_artifact_per_experiment(workspace: Path) -> None:
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    declared = experiments.load(REPO_ROOT / "experiments.yaml")
    for job in demo_jobs(4):
        experiments.record(store, job, experiments.assign(declared, job))
    analytics_report(since="1d", workspace=str(workspace))
    text = artifact("experiment-calm-vs-energetic")
    assert text is not None
    assert "calm-vs-energetic (quality_score): keep running" in text
    assert "| control |" in text and "| candidate |" in text


def test_the_server_variable_wins_over_the_file(tmp_path: Path) -> None:
    text = (
        "experiments:\n- name: from-server\n  factor: voice\n"
        "  arms: {control: calm_female, candidate: energetic_male}\n"
    )
    Variable.set(VARIABLE, text, overwrite=True)
    try:
        (found,) = declared(Settings(workspace=tmp_path))
        assert found.name == "from-server"
        Variable.set(VARIABLE, "experiments: 3", overwrite=True)
        with pytest.raises(ValueError, match=r"^Prefect Variable ytempire_experiments: expected"):
            declared(Settings(workspace=tmp_path))
    finally:
        Variable.unset(VARIABLE)
    assert [e.name for e in declared(Settings(workspace=tmp_path))] == ["calm-vs-energetic"]
