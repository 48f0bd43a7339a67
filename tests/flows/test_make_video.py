"""The per-video flow end to end, offline, under a real (temporary) Prefect API."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from sqlalchemy import select

from flows.video import make_video
from ytempire import cli
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import PipelineEvent
from ytempire.learning import experiments
from ytempire.media.probe import probe
from ytempire.models import Stage, VideoJob, VideoResult
from ytempire.settings import Settings

pytestmark = pytest.mark.slow

Made = tuple[VideoJob, Path, VideoResult]


def audio_rms(path: Path) -> float:
    with av.open(str(path)) as container:
        samples = [f.to_ndarray().astype(np.float64).ravel() for f in container.decode(audio=0)]
    return float(np.sqrt(np.mean(np.concatenate(samples) ** 2)))


def artifact_keys(pattern: str) -> set[str]:
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(like_=pattern))
        )
    return {a.key for a in found if a.key}


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> Made:
    workspace = tmp_path_factory.mktemp("ws")
    job = VideoJob(topic="How black holes evaporate", minutes=0.1)
    result = make_video(job, workspace=str(workspace))
    return job, workspace, result


def test_video_is_h264_high_1080p30_and_matches_narration(made: Made) -> None:
    job, workspace, _ = made
    folder = workspace / job.video_id
    info = probe(folder / "video.mp4")
    narration_s = probe_wav_seconds(folder / "narration.wav")
    assert (info.video_codec, info.video_profile, info.pixel_format) == ("h264", "High", "yuv420p")
    assert (info.width, info.height) == (1920, 1080)
    assert info.fps == pytest.approx(30, abs=0.01)
    assert (info.audio_codec, info.sample_rate, info.channels) == ("aac", 48000, 2)
    assert abs(info.video_duration_s - narration_s) <= 0.1
    assert info.av_offset_ms <= 50
    assert 10 <= narration_s <= 40
    assert audio_rms(folder / "video.mp4") > 0.01


def probe_wav_seconds(path: Path) -> float:
    with wave.open(str(path)) as w:
        return w.getnframes() / w.getframerate()


def test_every_output_is_in_the_video_folder(made: Made) -> None:
    job, workspace, _ = made
    folder = workspace / job.video_id
    for name in (
        "video.mp4",
        "narration.wav",
        "subtitles.srt",
        "script.md",
        "metadata.json",
        "quality.json",
        "contact_sheet.png",
    ):
        assert (folder / name).stat().st_size > 0, name
    assert made[2].outputs["contact sheet"] == folder / "contact_sheet.png"
    for i in (1, 2, 3):
        with Image.open(folder / "thumbnails" / f"variant_{i}.png") as im:
            assert im.size == (1280, 720)
    ranking = json.loads((folder / "thumbnails" / "ranking.json").read_text())
    assert ranking["primary"] == ranking["variants"][0]["path"].rsplit("/", 1)[-1]
    # Built on the video's own frames (with slides only, the minimal layout uses brand art).
    assert sum(1 for v in ranking["variants"] if v["key_frame"]) >= 2
    assert "-->" in (folder / "subtitles.srt").read_text()
    assert not list(folder.rglob(".*.tmp*")), "temporary files left behind"


def test_metadata_names_engines_costs_and_model(made: Made) -> None:
    job, workspace, _ = made
    meta = json.loads((workspace / job.video_id / "metadata.json").read_text())
    assert meta["title"] == "How Black Holes Evaporate"
    assert meta["model_used"] == "template"
    assert meta["topic"]["reason"] == "topic given by the operator"
    assert meta["engines"]["voice"].startswith("piper")
    assert set(meta["engines"]) >= {
        "trends",
        "topic",
        "script",
        "voice",
        "visuals",
        "render",
        "thumbnails",
        "quality",
    }
    # Offline nothing is paid for, but compute is a cost: the CPU of voice, render, thumbnails.
    assert meta["total_cost_usd"] > 0
    assert {line["stage"] for line in meta["cost"]["lines"]} == {"voice", "render", "thumbnails"}
    assert {line["kind"] for line in meta["cost"]["lines"]} == {"compute"}
    assert meta["total_cost_usd"] == meta["cost"]["total_usd"]
    assert meta["tags"] and meta["description"] and len(meta["chapters"]) >= 5
    quality = json.loads((workspace / job.video_id / "quality.json").read_text())
    assert {c["item"] for c in quality["checks"]} >= {"script", "voice", "video"}
    visibility = [c for c in quality["checks"] if c["name"] == "text_visibility"]
    assert len(visibility) == 3 and all(c["passed"] for c in visibility)
    assert all("faces" in quality["recorded"][f"thumbnail:variant_{i}"] for i in (1, 2, 3))


def test_the_videos_experiment_arm_is_applied_and_recorded(made: Made) -> None:
    job, workspace, result = made
    (experiment,) = experiments.load(Settings().experiments_file)  # the shipped example
    arm = experiment.assign(job.video_id)
    meta = json.loads((workspace / job.video_id / "metadata.json").read_text())
    assert meta["experiments"] == {"calm-vs-energetic": arm}
    assert meta["voice_profile"] == experiment.arms[arm] == result.job.voice
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    (row,) = experiments.recorded(store, "calm-vs-energetic")
    assert (row.video_id.hex, row.arm) == (job.video_id, arm)


def test_one_event_row_per_stage(made: Made) -> None:
    job, workspace, result = made
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    # Thumbnails are made while the video renders, so those two may start in either order.
    assert sorted(r.stage for r in result.stages) == sorted(Stage)
    events = store.events(result.run_id)
    assert sorted(e.stage for e in events) == sorted(s.value for s in Stage)
    assert all(e.status == "completed" and e.duration_ms >= 0 for e in events)
    assert next(e for e in events if e.stage == "script").model_used == "template"
    assert store.produced_topics("default") == {"how black holes evaporate"}
    assert store.cost_breakdown(job.video_id) is not None


def test_run_writes_summary_and_stage_table_artifacts(made: Made) -> None:
    job, _, _ = made
    keys = artifact_keys(f"%{job.video_id}")
    assert keys == {f"video-{job.video_id}", f"stages-{job.video_id}", f"quality-{job.video_id}"}


def test_cli_makes_a_portrait_video_and_prints_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    code = cli.main(
        [
            "video",
            "--topic",
            "Why the sky is blue",
            "--aspect",
            "9:16",
            "--voice",
            "calm_female",
            "--channel",
            "sky-facts",
        ]
    )
    out = capsys.readouterr().out
    assert code == 0, out
    (folder,) = (tmp_path / "runs").glob("[0-9a-f]*")
    info = probe(folder / "video.mp4")
    assert (info.width, info.height) == (1080, 1920)
    for stage in Stage:
        assert stage.value in out
    assert "video.mp4" in out and "total cost $0." in out
    assert "total cost $0.0000" not in out  # offline, but compute is a cost
    # Template-written: the default channel holds it for an operator, and says so.
    assert "held:" in out and f"ytempire release {folder.name}" in out


def test_cli_names_the_failing_stage_and_exits_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "topics.json"
    bad.write_text("{broken")
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    monkeypatch.setenv("YTEMPIRE_TOPICS_FILE", str(bad))
    code = cli.main(["video", "--topic", "Why the sky is blue"])
    out = capsys.readouterr().out
    assert code == 1
    assert "stage 'trends' failed: topics file" in out
    assert "Traceback" not in out
    store = AnalyticsStore(Settings(workspace=tmp_path / "runs").analytics_url)
    with store.session() as session:
        rows = session.scalars(select(PipelineEvent)).all()
    assert [(r.stage, r.status) for r in rows] == [("trends", "failed")]
    assert (rows[0].error_message or "").startswith("topics file")
