"""A video made while MLflow is unreachable completes, says so and keeps its record; recorded
later into the session's real MLflow store, its one run carries the params, metrics,
artifacts and tags of the video."""

from __future__ import annotations

import socket
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from flows.video import make_video
from tasks.learning import LOG
from ytempire.learning import mlflow_store, record
from ytempire.models import VideoJob, VideoResult
from ytempire.settings import Settings

pytestmark = pytest.mark.slow


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, VideoResult]:
    workspace = tmp_path_factory.mktemp("ws")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("YTEMPIRE_MLFLOW_RECORD", "background")
        env.setenv("MLFLOW_TRACKING_URI", f"http://127.0.0.1:{closed_port()}")
        result = make_video(
            VideoJob(topic="How black holes evaporate", minutes=0.1), str(workspace)
        )
    return workspace, result


def test_unreachable_mlflow_never_fails_the_video_and_says_so(
    made: tuple[Path, VideoResult],
) -> None:
    _, result = made
    assert result.quality_passed is not None and (result.folder / "metadata.json").is_file()
    with get_client(sync_client=True) as client:
        said = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[f"mlflow-{result.job.video_id}"])
            )
        )
    (line,) = [a.data for a in said]
    assert "unreachable" in str(line) and record.PENDING in str(line)
    assert (result.folder / record.PENDING).is_file()
    assert not (result.folder / record.RECORDED).exists()
    assert not (result.folder / LOG).exists()  # nothing started in the background


def test_kept_record_is_recorded_later_with_everything(
    made: tuple[Path, VideoResult], mlflow_uri: str
) -> None:
    workspace, result = made
    settings = Settings(workspace=workspace, mlflow_tracking_uri=mlflow_uri)
    (outcome,) = record.flush(settings)
    assert outcome.recorded is not None, outcome.error
    assert not (result.folder / record.PENDING).exists()
    assert (result.folder / record.RECORDED).is_file()

    client = mlflow_store.connect(settings).MlflowClient()
    run = client.get_run(outcome.recorded.run_id)
    params, metrics, tags = run.data.params, run.data.metrics, run.data.tags
    for name in (
        "model.script",
        "voice.engine",
        "voice.profile",
        "thumbnail.template",
        "render.encoder",
        "render.crf",
        "render.resolution",
        "engine.visuals",
    ):
        assert params[name], name
    assert len(params["git.revision"].removesuffix("+dirty")) in (40, len("unknown"))

    assert metrics["cost.total_usd"] == pytest.approx(result.total_cost_usd, abs=1e-6)
    assert metrics["cost.render_usd"] > 0 and metrics["seconds.render"] > 0
    assert metrics["render.speed_x"] > 0
    assert 0 <= metrics["quality.score"] <= 1 and metrics["quality.passed"] in (0, 1)
    assert any(name.startswith("quality.video.") for name in metrics)
    assert tags[record.VIDEO_TAG] == result.job.video_id
    assert tags["ytempire.channel"] == result.job.channel
    assert tags["prefect.flow_run_id"] == str(result.run_id)

    def files(path: str | None = None) -> set[str]:
        return {a.path for a in client.list_artifacts(run.info.run_id, path)}

    assert {"script.md", "quality.json", "metadata.json"} <= files()
    assert files("subtitles") == {f"subtitles/{result.outputs['subtitles'].name}"}
    thumbnails = {k: v for k, v in result.outputs.items() if k.startswith("thumbnail ")}
    assert {f"thumbnails/{p.name}" for p in thumbnails.values()} == files("thumbnails")

    # Recording the video again replaces its run: still one run per video.
    rerun = record.RunRecord(
        video_id=result.job.video_id,
        run_name="again",
        params={},
        metrics={},
        tags={record.VIDEO_TAG: result.job.video_id},
        artifacts={},
        made_at=datetime.now(UTC),
    )
    record.keep(rerun, settings)
    (again,) = record.flush(settings)
    assert again.recorded is not None and again.recorded.run_id != run.info.run_id
    live = client.search_runs(
        [outcome.recorded.experiment_id],
        filter_string=f"tags.`{record.VIDEO_TAG}` = '{result.job.video_id}'",
    )
    assert [r.info.run_id for r in live] == [again.recorded.run_id]
