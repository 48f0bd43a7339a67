"""A bucket workspace against a real S3-compatible store (SeaweedFS, tests/servers/seaweedfs.py):
scratch copies on two roots that share nothing, outputs whole or not at all, a store that is
down named in one line."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from tasks.recording import run_stage
from tests.deployments.prefect_server import free_port
from tests.servers.seaweedfs import SeaweedFS
from ytempire.checkpoints import read_checkpoint, write_checkpoint
from ytempire.errors import StageFailed
from ytempire.models import MediaInfo, RenderedVideo, Stage, Topic, TrendReport
from ytempire.resilience.errors import ErrorKind, kind_of, retry_delay
from ytempire.settings import Settings
from ytempire.workspace import PART_BYTES, Bucket, VideoFolder, prune_scratch

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def bucket_url(seaweedfs: SeaweedFS, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in seaweedfs.env.items():
        monkeypatch.setenv(name, value)
    return f"s3://{seaweedfs.new_bucket()}/runs"


def _rendered(folder: VideoFolder, size: int = 4096) -> RenderedVideo:
    """A render stage's output: a sparse ``video.mp4`` of ``size`` bytes (the store sees
    only bytes), a slide the output names and a list it does not, both in work/."""
    video = folder / "video.mp4"
    with video.open("wb") as out:
        out.truncate(size)
    (folder.work / "slide-1.png").write_bytes(b"png")
    (folder.work / "segments.txt").write_text("scratch only")
    info = MediaInfo(
        path=video,
        size_bytes=size,
        duration_s=1.0,
        video_codec="h264",
        video_profile=None,
        pixel_format="yuv420p",
        width=1920,
        height=1080,
        fps=30.0,
        video_duration_s=1.0,
        video_start_s=0.0,
        bitrate_bps=1,
    )
    return RenderedVideo(
        engine="test", path=video, encoder="libx264", seconds_to_render=0.0, info=info
    )


def test_a_stage_made_on_one_root_is_resumed_on_another(bucket_url: str, tmp_path: Path) -> None:
    bucket = Bucket(bucket_url)
    cpu = VideoFolder(tmp_path / "cpu-scratch", "vid1").create()
    rendered = _rendered(cpu)
    write_checkpoint(cpu, Stage.render, rendered)
    pushed = bucket.push(cpu, [cpu.work / "slide-1.png"])
    assert pushed[-1] == "stages/render.json"  # the checkpoint after what it names
    assert "work/slide-1.png" in pushed and "work/segments.txt" not in pushed

    gpu = VideoFolder(tmp_path / "gpu-scratch", "vid1")
    assert sorted(bucket.pull(gpu)) == sorted(pushed)
    resumed = read_checkpoint(gpu, Stage.render, RenderedVideo)
    assert resumed is not None and resumed.path == gpu / "video.mp4"
    assert bucket.pull(gpu) == [] and bucket.push(gpu) == []  # copies known as such


def test_checkpoints_pushed_together_keep_the_order_they_were_made(
    bucket_url: str, tmp_path: Path
) -> None:
    """The bucket's times order the checkpoints (a later stage's is newer than an earlier
    one's), whatever their names: topic's, made after trends', is trusted on another root."""
    made = VideoFolder(tmp_path / "one", "vid4").create()
    trends = write_checkpoint(made, Stage.trends, TrendReport(engine="test", topics=[]))
    os.utime(trends, (trends.stat().st_mtime - 60,) * 2)
    write_checkpoint(made, Stage.topic, Topic(engine="test", title="t", keywords=[], reason="r"))
    bucket = Bucket(bucket_url)
    assert bucket.push(made) == ["stages/trends.json", "stages/topic.json"]
    elsewhere = VideoFolder(tmp_path / "two", "vid4")
    bucket.pull(elsewhere)
    assert read_checkpoint(elsewhere, Stage.topic, Topic) is not None


def test_settings_name_the_bucket_and_keep_local_state_local(tmp_path: Path) -> None:
    settings = Settings(workspace="s3://ytempire/runs", state_dir=tmp_path)
    assert settings.workspace_url == "s3://ytempire/runs"
    assert settings.workspace == tmp_path / "scratch"
    assert settings.analytics_url == f"sqlite:///{tmp_path / 'ytempire.db'}"
    assert Settings(workspace="runs").local_state_dir == Path("runs")


def test_a_worker_killed_mid_upload_leaves_nothing_visible(
    bucket_url: str, seaweedfs: SeaweedFS, tmp_path: Path
) -> None:
    folder = VideoFolder(tmp_path / "scratch", "vid2").create()
    # Three parts: a multipart upload, visible only once completed.
    write_checkpoint(folder, Stage.render, _rendered(folder, 3 * PART_BYTES))
    # The worker dies (SIGKILL, nothing runs after it) once its first part is sent.
    worker = textwrap.dedent(
        f"""
        import os, signal
        from pathlib import Path
        from fsspec.callbacks import Callback
        from ytempire.workspace import PART_BYTES, Bucket, VideoFolder, prune_scratch

        class Dies(Callback):
            def relative_update(self, inc=1):
                os.kill(os.getpid(), signal.SIGKILL)

        scratch = VideoFolder(Path({str(folder.path.parent)!r}), "vid2")
        Bucket({bucket_url!r}).push(scratch, progress=Dies())
        """
    )
    done = subprocess.run([sys.executable, "-c", worker], cwd=REPO, env=os.environ, timeout=120)
    assert done.returncode == -9
    fs = seaweedfs.fs()
    left = [Path(p).name for p in fs.find(bucket_url.removeprefix("s3://") + "/vid2")]
    assert "video.mp4" not in left and "render.json" not in left

    bucket = Bucket(bucket_url)
    assert "video.mp4" in bucket.push(folder)  # the re-run completes
    other = VideoFolder(tmp_path / "other", "vid2")
    bucket.pull(other)
    assert (other / "video.mp4").stat().st_size == 3 * PART_BYTES
    assert read_checkpoint(other, Stage.render, RenderedVideo) is not None


def test_a_stage_with_the_store_down_fails_in_one_line_and_is_retried(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    endpoint = f"http://127.0.0.1:{free_port()}"
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "k")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "s")
    settings = Settings(workspace="s3://down/runs", state_dir=tmp_path)
    folder = VideoFolder(settings.workspace, "vid3")
    with pytest.raises(StageFailed) as failed:
        run_stage(
            Stage.topic,
            uuid.uuid4(),
            settings,
            lambda: pytest.fail("the stage ran without its inputs"),
            folder=folder,
            output_type=Topic,
        )
    message = str(failed.value)
    assert message.startswith("stage 'topic' failed: workspace: ")
    assert endpoint in message and "\n" not in message
    # An API error by the seed's strategy: retried, with linear backoff.
    assert kind_of(failed.value) is ErrorKind.api_error
    assert retry_delay(failed.value, 2) == 2 * retry_delay(failed.value, 1)  # type: ignore[operator]


def test_failed_scratch_is_kept_until_its_retention_has_passed(tmp_path: Path) -> None:
    old = VideoFolder(tmp_path, "failed-long-ago").create()
    recent = VideoFolder(tmp_path, "failed-just-now").create()
    (tmp_path / "mlartifacts").mkdir()  # not a video folder: never pruned
    hours_ago = time.time() - 5 * 3600
    for path in (old.path, tmp_path / "mlartifacts"):
        os.utime(path, (hours_ago, hours_ago))
    assert prune_scratch(tmp_path, keep_hours=4) == [old.path]
    assert recent.path.is_dir() and (tmp_path / "mlartifacts").is_dir()
