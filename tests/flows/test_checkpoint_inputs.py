"""A stage's checkpoint is reused only when the inputs that made it hash the same: a relevant
setting changed runs the stage again (and what follows it); an irrelevant one resumes."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from prefect import flow

from tasks.script import write_script
from ytempire.analytics.store import AnalyticsStore
from ytempire.checkpoints import inputs_path, read_checkpoint, write_checkpoint
from ytempire.models import Script, Stage, StageOutput, Topic, VideoJob
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

TOPIC = Topic(engine="requested", title="Tides", keywords=["moon", "tides"], reason="test")
JOB = VideoJob(topic=TOPIC.title, video_id="c" * 32)


@flow
def script_only(job: VideoJob, run_id: uuid.UUID) -> Script:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return write_script(job, TOPIC, settings, run_id)


def status_of_a_run() -> str:
    run_id = uuid.uuid4()
    script_only(JOB, run_id)
    (row,) = AnalyticsStore(Settings().analytics_url).events(run_id)
    return row.status


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> VideoFolder:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)  # the offline template writer
    return VideoFolder(tmp_path / "runs", JOB.video_id)


def test_a_relevant_setting_reruns_the_stage_an_irrelevant_one_resumes(
    folder: VideoFolder, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert status_of_a_run() == "completed"
    kept = json.loads(inputs_path(folder, Stage.script).read_text())
    assert kept["inputs"]["settings"]["script_primary_model"] == "gpt-4-turbo"
    assert kept["inputs"]["engines"]["openai"]
    assert status_of_a_run() == "resumed"

    # How long to wait for a model, and where records go, make no other script.
    monkeypatch.setenv("YTEMPIRE_SCRIPT_TIMEOUT_S", "7")
    monkeypatch.setenv("YTEMPIRE_RENDER_CRF", "30")  # another stage's setting
    assert status_of_a_run() == "resumed"

    # A later stage's checkpoint, older than the script's redo below.
    later = write_checkpoint(folder, Stage.tracking, StageOutput(engine="analytics-db"))
    monkeypatch.setenv("YTEMPIRE_SCRIPT_PRIMARY_MODEL", "gpt-4o")
    assert status_of_a_run() == "completed"
    kept = json.loads(inputs_path(folder, Stage.script).read_text())
    assert kept["inputs"]["settings"]["script_primary_model"] == "gpt-4o"
    assert later.exists() and read_checkpoint(folder, Stage.tracking, StageOutput) is None
    assert status_of_a_run() == "resumed"


def test_a_changed_job_field_reruns_but_a_publishing_field_does_not(folder: VideoFolder) -> None:
    assert status_of_a_run() == "completed"
    run_id = uuid.uuid4()
    script_only(JOB.model_copy(update={"privacy": "public"}), run_id)
    script_only(JOB.model_copy(update={"tone": "playful and quick"}), run_id)
    rows = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert [r.status for r in rows] == ["resumed", "completed"]
