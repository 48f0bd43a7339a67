"""The daily batch end to end: two short videos with paid model calls (a local
OpenAI-compatible server driven by the real SDK), a crash simulated mid-video, a re-run that
finishes only what was unfinished, and the blocks registered with the real ``prefect`` CLI.
"""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
from prefect.settings import PREFECT_API_URL
from sqlalchemy import delete, select

from blocks.channel import ChannelProfile, channel_profiles
from blocks.credentials import OpenAICredentials, settings_from_blocks
from flows.batch import daily_batch
from tests.servers.openai_compatible import OpenAICompatibleServer
from ytempire import cli
from ytempire.analytics import views
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.tables import CostBreakdown, PipelineEvent, Video
from ytempire.batch_plan import video_id_for
from ytempire.batch_report import BatchResult
from ytempire.channels import ChannelsError
from ytempire.checkpoints import STAGE_OUTPUTS, read_checkpoint
from ytempire.models import Stage
from ytempire.settings import Settings
from ytempire.visuals.thumbnails import GENERATED_LAYOUTS
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

DAY = datetime.date(2026, 2, 3)
# Drafts the local server writes fail the script suite, so the template writes the scripts:
# these channels publish them (the default would hold them for an operator, docs/quality.md).
CHANNELS = """
space:
  niche: science
  minutes: 0.1
  videos_per_day: 1
  publish_template_scripts: true
gadgets:
  niche: technology
  minutes: 0.1
  voice: energetic_male
  videos_per_day: 1
  publish_template_scripts: true
"""
# Everything from the render on is lost for the crashed video: its files and checkpoints.
LOST_STAGES = [Stage.render, Stage.thumbnails, Stage.quality, Stage.upload, Stage.tracking]
LOST_FILES = ["video.mp4", "metadata.json", "quality.json"]


@dataclass
class Runs:
    workspace: Path
    first: BatchResult
    second: BatchResult
    store: AnalyticsStore
    done: VideoFolder  # finished in the first run
    crashed: VideoFolder  # lost its later stages before the second
    done_files: dict[str, tuple[int, bytes]]  # name → (mtime, content) after the first run
    chat_calls: tuple[int, int]  # script requests after the first and the second run
    image_calls: tuple[int, int]
    spend: tuple[float, float]  # API spend of the day after each run
    done_cost: float  # the finished video's breakdown total after the first run


def snapshot(folder: VideoFolder) -> dict[str, tuple[int, bytes]]:
    return {
        name: ((folder / name).stat().st_mtime_ns, (folder / name).read_bytes())
        for name in ("video.mp4", "narration.wav", "metadata.json", "script.md")
    }


def spend(store: AnalyticsStore) -> float:
    window = views.Window.last(datetime.timedelta(days=1))
    return sum(row.cost_usd for row in views.api_cost_by_provider(store, window))


def crash(folder: VideoFolder, store: AnalyticsStore) -> None:
    """What a crash during the render leaves: no later outputs, no tracking rows."""
    for stage in LOST_STAGES:
        folder.checkpoint(stage.value).unlink()
    for name in LOST_FILES:
        (folder / name).unlink()
    video_id = uuid.UUID(folder.path.name)
    with store.session() as s:
        s.execute(delete(Video).where(Video.video_id == video_id))
        s.execute(delete(CostBreakdown).where(CostBreakdown.video_id == video_id))


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> Runs:
    root = tmp_path_factory.mktemp("batch")
    workspace = root / "runs"
    channels = root / "channels.yaml"
    channels.write_text(CHANNELS)
    with OpenAICompatibleServer() as server, pytest.MonkeyPatch.context() as env:
        env.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
        env.setenv("OPENAI_API_KEY", "sk-test-THISKEYMUSTNEVERLEAK0123456789")
        env.setenv("OPENAI_BASE_URL", server.url)
        env.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
        # Room for both DALL·E pictures' worst case (4 attempts × $0.08 each) beside the rest.
        env.setenv("YTEMPIRE_VIDEO_BUDGET_USD", "5")
        first = daily_batch(date=DAY, workspace=str(workspace))
        store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
        done = VideoFolder(workspace, video_id_for(DAY, "space", 0))
        crashed = VideoFolder(workspace, video_id_for(DAY, "gadgets", 0))
        done_files = snapshot(done)
        chats, images, spent = len(server.requests), len(server.image_requests), spend(store)
        breakdown = store.cost_breakdown(done.path.name)
        assert breakdown is not None
        crash(crashed, store)
        second = daily_batch(date=DAY, workspace=str(workspace))
        # Built inside the block; returned after it, so the environment is restored and the
        # server stopped before the tests look.
        made = Runs(
            workspace=workspace,
            first=first,
            second=second,
            store=store,
            done=done,
            crashed=crashed,
            done_files=done_files,
            chat_calls=(chats, len(server.requests)),
            image_calls=(images, len(server.image_requests)),
            spend=(spent, spend(store)),
            done_cost=float(breakdown.total_cost),
        )
    return made


def test_the_first_run_makes_both_videos_with_paid_calls(runs: Runs) -> None:
    assert [(v.channel, v.status) for v in runs.first.videos] == [
        ("space", "completed"),
        ("gadgets", "completed"),
    ]
    assert runs.first.plan.dropped == []
    assert runs.first.channels_source.endswith("channels.yaml")
    assert all(v.cost_usd > 0 and v.resumed_stages == 0 for v in runs.first.videos)
    # The paid engines: DALL·E pictures for both videos' thumbnails; the scripts were asked
    # of the models too (whether a draft passed the script suite is the script stage's test).
    assert all("thumbnails: dall-e-3" in v.engines for v in runs.first.videos)
    assert runs.chat_calls[0] >= 2 and runs.image_calls[0] == 2 * len(GENERATED_LAYOUTS)


def test_the_rerun_finishes_the_crashed_video_and_redoes_nothing_else(runs: Runs) -> None:
    by_channel = {v.channel: v for v in runs.second.videos}
    assert {c: v.status for c, v in by_channel.items()} == {
        "space": "completed",
        "gadgets": "completed",
    }
    assert by_channel["space"].resumed_stages == len(Stage)
    assert by_channel["gadgets"].resumed_stages == len(Stage) - len(LOST_STAGES)
    for stage, model in STAGE_OUTPUTS.items():
        assert read_checkpoint(runs.crashed, stage, model) is not None, stage
    assert (runs.crashed / "video.mp4").stat().st_size > 0


def test_the_finished_video_is_neither_paid_for_nor_published_again(runs: Runs) -> None:
    assert snapshot(runs.done) == runs.done_files  # same files, same bytes, same times
    # No script was written again: both scripts resumed. Only the crashed video's
    # thumbnails (lost with its render) asked for pictures again.
    assert runs.chat_calls[1] == runs.chat_calls[0]
    assert runs.image_calls[1] - runs.image_calls[0] == len(GENERATED_LAYOUTS)


def test_costs_are_counted_once(runs: Runs) -> None:
    for folder, row in zip(
        (runs.done, runs.crashed),
        sorted(runs.second.videos, key=lambda v: v.channel != "space"),
        strict=True,
    ):
        breakdown = runs.store.cost_breakdown(folder.path.name)
        assert breakdown is not None
        # ai_cost_breakdown keeps the seed's DECIMAL(10,4); the ledger (the row) millionths.
        assert float(breakdown.total_cost) == pytest.approx(row.cost_usd, abs=5e-5)
    space = next(v for v in runs.second.videos if v.channel == "space")
    assert space.cost_usd == pytest.approx(runs.done_cost, abs=5e-5)
    window = views.Window.last(datetime.timedelta(days=1))
    assert len(views.cost_per_video(runs.store, window)) == 2
    # Event rows: the resumed stages of the re-run cost nothing.
    with runs.store.session() as s:
        resumed = list(s.scalars(select(PipelineEvent).where(PipelineEvent.status == "resumed")))
    assert len(resumed) == 2 * len(Stage) - len(LOST_STAGES)
    assert all(e.cost_cents == 0 and e.model_used for e in resumed)
    # What the day spent at the API grew only by the crashed video's new thumbnails.
    assert runs.spend[1] - runs.spend[0] == pytest.approx(0.08 * len(GENERATED_LAYOUTS))


def test_the_days_plan_kept_the_topics(runs: Runs) -> None:
    assert [v.job for v in runs.second.plan.videos] == [v.job for v in runs.first.plan.videos]
    assert (runs.workspace / "batches" / f"{DAY.isoformat()}.json").is_file()


def test_the_batch_table_and_summary_are_artifacts(runs: Runs) -> None:
    table_key, summary_key = f"batch-{DAY.isoformat()}", f"batch-summary-{DAY.isoformat()}"
    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[table_key, summary_key]))
        )
    assert {a.key for a in found} == {table_key, summary_key}
    tables = [a for a in found if a.key == table_key]
    assert len(tables) == 2  # one per run
    assert all(runs.done.path.name in str(t.data) and "completed" in str(t.data) for t in tables)


@pytest.mark.parametrize("module", ["blocks.credentials", "blocks.channel"])
def test_the_blocks_register_with_the_prefect_cli(module: str) -> None:
    env = {**os.environ, "PREFECT_API_URL": str(PREFECT_API_URL.value())}
    done = subprocess.run(
        [Path(sys.executable).parent / "prefect", "block", "register", "-m", module],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Successfully registered" in done.stdout


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--date", "2026-13-01"], "argument --date: must be a date YYYY-MM-DD"),
        (["--videos-per-channel", "99"], "argument --videos-per-channel: must be a whole"),
        (["--channel", "Space"], "argument --channel: must be a plain slug"),
    ],
)
def test_the_cli_refuses_bad_options_in_one_line(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["batch", *argv]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err.startswith(f"ytempire: error: {message}") and err.count("\n") == 1


def test_the_cli_names_an_unknown_channel_and_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    channels = tmp_path / "channels.yaml"
    channels.write_text(CHANNELS)
    monkeypatch.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
    monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
    assert cli.main(["batch", "--channel", "cooking"]) == cli.EXIT_USAGE
    err = capsys.readouterr().err
    assert err == (f"ytempire: error: {channels}: no channel 'cooking'; known: space, gadgets\n")
    assert not (tmp_path / "runs" / "batches").exists()


def test_blocks_on_the_server_win_and_without_them_the_file_is_read(tmp_path: Path) -> None:
    missing = tmp_path / "none.yaml"
    OpenAICredentials(base_url="http://127.0.0.1:9/v1").save("batch-test")
    ChannelProfile(name="tides", niche="oceans", voice="calm_female").save("tides")
    try:
        settings = settings_from_blocks(
            Settings(workspace=tmp_path, credentials_block="batch-test", channels_file=missing)
        )
        assert settings.openai_base_url == "http://127.0.0.1:9/v1" and settings.llm_configured
        profiles, source = channel_profiles(settings)
        assert [(c.name, c.voice.value) for c in profiles] == [("tides", "calm_female")]
        assert source == "ChannelProfile blocks"
    finally:
        OpenAICredentials.delete("batch-test")
        ChannelProfile.delete("tides")
    with pytest.raises(ChannelsError, match="no channels file"):
        channel_profiles(settings)
    assert settings_from_blocks(Settings(credentials_block="batch-test")).openai_base_url is None
