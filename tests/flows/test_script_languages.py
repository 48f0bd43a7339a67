"""The script stage in other languages under Prefect: a translated video's script, priced in
the ledger; offline, written anew; a language nobody can write, refused in one line."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from prefect import flow

from tasks.script import write_script
from tests.flows.test_script_stage import KEY, TOPIC
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.checkpoints import write_checkpoint
from ytempire.models import Script, Stage, VideoJob
from ytempire.script.compose import write_template_script
from ytempire.script.languages import NoScriptWriter
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder


@flow
def script_only(job: VideoJob, run_id: uuid.UUID) -> Script:
    settings = Settings()
    VideoFolder(settings.workspace, job.video_id).create()
    return write_script(job, TOPIC, settings, run_id)


def source_video(workspace: Path) -> tuple[VideoJob, Script]:
    """An English video whose script stage is done (its checkpoint in its folder)."""
    job = VideoJob(topic=TOPIC.title)
    folder = VideoFolder(workspace, job.video_id).create()
    script = write_template_script(job, TOPIC, folder)
    write_checkpoint(folder, Stage.script, script)
    return job, script


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    return tmp_path / "runs"


def test_a_translated_video_translates_its_sources_script(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAICompatibleServer
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", KEY)
    monkeypatch.setenv("OPENAI_BASE_URL", openai_server.url)
    monkeypatch.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "5")
    source_job, source = source_video(workspace)
    job = VideoJob(topic=TOPIC.title, language="es", translation_of=source_job.video_id)
    run_id = uuid.uuid4()
    script = script_only(job, run_id)
    request = next(r for r in openai_server.requests if r.path.endswith("/chat/completions"))
    assert "into Spanish" in request.text and source.sections[0].narration in request.text
    assert script.language == "es" and script.engine == "gpt-4-turbo"
    assert len(script.sections) == len(source.sections)
    (call,) = AnalyticsStore(Settings().analytics_url).model_calls("script_translation")
    assert call.model_name == "gpt-4-turbo" and call.cost_cents >= 0
    assert script.cost_usd > 0


def test_offline_a_translated_video_is_written_anew_and_says_so(workspace: Path) -> None:
    source_job, _ = source_video(workspace)
    job = VideoJob(topic=TOPIC.title, language="ja", translation_of=source_job.video_id)
    script = script_only(job, uuid.uuid4())
    assert script.engine == "template" and script.language == "ja"
    assert script.fallbacks == [
        f"translation of video {source_job.video_id}: no model translated it; the ja template "
        f"writer wrote it anew on the topic {TOPIC.title!r}"
    ]


def test_a_language_nobody_can_write_fails_in_one_line(workspace: Path) -> None:
    with pytest.raises(NoScriptWriter, match=r"^no offline script writer for 'de' .* German$"):
        script_only(VideoJob(topic=TOPIC.title, language="de"), uuid.uuid4())


def test_a_missing_source_script_is_one_line(workspace: Path) -> None:
    job = VideoJob(topic=TOPIC.title, language="es", translation_of=uuid.uuid4().hex)
    with pytest.raises(RuntimeError, match="has no script to translate"):
        script_only(job, uuid.uuid4())
