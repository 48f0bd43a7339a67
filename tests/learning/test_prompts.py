"""The prompt registry against the session's real MLflow store, and the script writer sending
what the registry holds to a real OpenAI-compatible server, traced, the key never recorded."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest

from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire.learning import mlflow_store, prompts, record
from ytempire.learning.tracing import traced
from ytempire.models import Stage, Topic, VideoJob, VideoResult
from ytempire.providers.catalog import PRICES
from ytempire.providers.openai_chat import make_client
from ytempire.quality.suites import load_suite, suite_path
from ytempire.script import compose, llm_writer
from ytempire.script.prompts import PromptParams, build_messages, prompt_names
from ytempire.settings import Settings
from ytempire.visuals.thumbnails import image_prompt
from ytempire.workspace import VideoFolder

TOPIC = Topic(
    engine="test", title="How black holes evaporate", keywords=["hawking radiation"], reason="test"
)
CANARY = "sk-canary-" + uuid.uuid4().hex


def test_every_prompt_sent_is_a_repository_file() -> None:
    job = VideoJob(minutes=1)
    names = set(prompts.names())
    assert set(prompt_names(job.content_type)) <= names and "thumbnail-image" in names
    assert {"script-educational", "script-entertainment", "script-news-commentary"} <= names
    messages = build_messages(job, TOPIC, PromptParams())
    assert messages[0]["content"] == prompts.file_prompt("script-role").text
    assert prompts.file_prompt("script-output-format").text in messages[1]["content"]
    picture = image_prompt("hero_image_with_text", " Black Holes ")
    assert picture.startswith('A striking YouTube thumbnail picture for a video titled "Black')
    assert "{" not in picture


def test_recording_off_reads_the_files_without_mlflow(tmp_path: Path) -> None:
    off = Settings(workspace=tmp_path, mlflow_record="off")
    loaded = prompts.load_prompt("script-role", settings=off)
    assert loaded.version is None and loaded.label == "script-role@file"
    assert loaded.text == prompts.file_prompt("script-role").text
    with pytest.raises(prompts.PromptError, match="no prompt named 'nope'"):
        prompts.load_prompt("nope", settings=off)


def test_an_unreachable_registry_gives_the_files(tmp_path: Path) -> None:
    down = Settings(workspace=tmp_path, mlflow_tracking_uri=f"http://127.0.0.1:{_closed_port()}")
    (loaded,) = prompts.load_prompts(["thumbnail-image"], settings=down)
    assert loaded.version is None and loaded.text == prompts.file_prompt("thumbnail-image").text


def test_changed_file_is_a_new_version_and_the_next_video_records_it(
    mlflow_settings: Settings, tmp_path: Path, openai_server: OpenAICompatibleServer
) -> None:
    settings = mlflow_settings
    prompts.sync(settings, only=["script-role"])  # registered once in the session
    before = prompts.load_prompt("script-role", "production", settings).version
    assert before is not None

    changed = tmp_path / "prompts"
    shutil.copytree(prompts.PROMPTS_DIR, changed)
    marker = f"Marker {uuid.uuid4().hex}."
    role = changed / "script-role.md"
    role.write_text(role.read_text().rstrip("\n") + f" {marker}\n")
    (synced,) = prompts.sync(settings, only=["script-role"], prompts_dir=changed)
    assert synced.registered and synced.version == before + 1 and synced.aliases == ["candidate"]
    assert prompts.load_prompt("script-role", "production", settings).version == before
    (again,) = prompts.sync(settings, only=["script-role"], prompts_dir=changed)
    assert not again.registered and again.version == before + 1

    try:
        job = VideoJob(topic=TOPIC.title, minutes=1)
        folder = VideoFolder(settings.workspace, job.video_id).create()
        params = PromptParams.from_registry(job, settings, alias="candidate")
        with traced(settings, job.video_id, "script"):
            written = llm_writer.write_with_model(
                make_client(CANARY, openai_server.url, timeout_s=10),
                PRICES["gpt-4-turbo"],
                job,
                TOPIC,
                params,
                script_suite=load_suite(suite_path(settings.quality_suites_dir, "script")),
            )
        assert openai_server.requests[0].messages[0]["content"].endswith(marker)

        script = compose.save_llm_script(job, TOPIC, folder, written)
        result = VideoResult(
            job=job,
            run_id=uuid.uuid4(),
            folder=folder.path,
            title=script.title,
            outputs={},
            stages=[],
            quality_passed=True,
        )
        record.keep(record.build(result, {Stage.script: script}, [], settings), settings)
        (outcome,) = record.flush(settings)
        assert outcome.recorded is not None, outcome.error
        client = mlflow_store.connect(settings).MlflowClient()
        run = client.get_run(outcome.recorded.run_id)
        assert run.data.params["prompt.script-role"] == str(before + 1)
        assert run.data.params["prompt.script-educational"].isdigit()
        assert run.data.params["model.script"] == script.engine
        assert {a.path for a in client.list_artifacts(run.info.run_id)} >= {
            "script.md",
            "prompts.json",
        }

        trace = _trace_of(settings, job.video_id)
        assert marker in trace  # the prompt
        assert written.draft.hook[:40] in trace  # the response
        assert '"input_tokens"' in trace or "prompt_tokens" in trace  # the usage
        assert CANARY not in trace
    finally:
        prompts.set_alias("script-role", "candidate", before, settings)


def test_alias_moves_only_to_a_version_that_exists(mlflow_settings: Settings) -> None:
    prompts.sync(mlflow_settings, only=["script-improvement"])
    with pytest.raises(prompts.PromptError, match="no version 999"):
        prompts.set_alias("script-improvement", "production", 999, mlflow_settings)


def _trace_of(settings: Settings, video_id: str) -> str:
    """The video's one trace, as JSON."""
    client = mlflow_store.connect(settings).MlflowClient()
    found = client.search_traces(
        locations=[mlflow_store.experiment_id(settings)],
        filter_string=f"tags.`{record.VIDEO_TAG}` = '{video_id}'",
    )
    assert len(found) == 1
    return str(client.get_trace(found[0].info.trace_id).to_json())


def _closed_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
