"""Three channels, three YouTube identities: the daily batch puts each channel's video on its
own YouTube channel (the stand-in's records say which token uploaded what), with each
channel's own OAuth client from its slugged environment variables and nothing fleet-wide.

Short videos (0.1 minute), offline engines, one batch run: the point is who uploads where.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from pathlib import Path

import pytest

from flows.batch import _plan, daily_batch
from tests.servers.youtube_upload import CLIENT_ID, CLIENT_SECRET, YouTubeUploadServer
from ytempire.batch_plan import video_id_for
from ytempire.batch_report import BatchResult
from ytempire.channels import load_channels
from ytempire.publish.youtube import read_record
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder

pytestmark = pytest.mark.slow

DAY = datetime.date(2026, 3, 4)
# channel slug → (its refresh token, the YouTube channel it acts for)
IDENTITIES = {
    "cosmos-explained": ("1//0token-of-cosmos-explained-aaaaaa", "UCcosmosexplained0000000"),
    "future-gadgets": ("1//0token-of-future-gadgets-bbbbbbb", "UCfuturegadgets000000000"),
    "money-basics": ("1//0token-of-money-basics-ccccccccc", "UCmoneybasics00000000000"),
}
NICHES = {"cosmos-explained": "science", "future-gadgets": "technology", "money-basics": "finance"}


def channels_file(path: Path) -> Path:
    """The three channels, each expecting its own YouTube channel; the gate lets the
    template-written videos through (the gate is not what this test is about)."""
    path.write_text(
        "".join(
            f"{slug}:\n  niche: {NICHES[slug]}\n  minutes: 0.1\n  videos_per_day: 1\n"
            f"  youtube_channel_id: {channel_id}\n"
            "  publish_template_scripts: true\n  critical_checks: []\n"
            for slug, (_token, channel_id) in IDENTITIES.items()
        )
    )
    return path


@dataclass
class Batch:
    workspace: Path
    result: BatchResult
    server: YouTubeUploadServer


@pytest.fixture(scope="module")
def batch(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    root = tmp_path_factory.mktemp("identities")
    workspace = root / "runs"
    with YouTubeUploadServer(root / "tls") as server, pytest.MonkeyPatch.context() as env:
        for slug, (token, channel_id) in IDENTITIES.items():
            server.add_identity(token, channel_id, slug.replace("-", " ").title())
            stem = "YTEMPIRE_YOUTUBE_" + slug.upper().replace("-", "_")
            env.setenv(f"{stem}_CLIENT_ID", CLIENT_ID)
            env.setenv(f"{stem}_CLIENT_SECRET", CLIENT_SECRET)
            env.setenv(f"{stem}_REFRESH_TOKEN", token)
        # The fleet-wide identity is there too, and must not be used for a named channel.
        env.setenv("YTEMPIRE_YOUTUBE_CLIENT_ID", server.client_id)
        env.setenv("YTEMPIRE_YOUTUBE_CLIENT_SECRET", CLIENT_SECRET)
        env.setenv("YTEMPIRE_YOUTUBE_REFRESH_TOKEN", server.refresh_token)
        for name, value in {
            "TOKEN_URI": server.token_uri,
            "UPLOAD_ENDPOINT": server.url,
            "CA_CERTS": str(server.ca_certs),
            "UPLOAD_CHUNK_BYTES": str(256 * 1024),
        }.items():
            env.setenv(f"YTEMPIRE_YOUTUBE_{name}", value)
        env.setenv("YTEMPIRE_CHANNELS_FILE", str(channels_file(root / "channels.yaml")))
        env.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
        result = daily_batch(date=DAY, workspace=str(workspace))
        made = Batch(workspace, result, server)
    return made


def test_each_channels_video_is_on_its_own_youtube_channel(batch: Batch) -> None:
    assert [(v.channel, v.status) for v in batch.result.videos] == [
        (slug, "completed") for slug in IDENTITIES
    ], [v.error for v in batch.result.videos]
    server = batch.server
    for slug, (_token, channel_id) in IDENTITIES.items():
        record = read_record(VideoFolder(batch.workspace, video_id_for(DAY, slug, 0)))
        assert record is not None and record.channel_id == channel_id
        assert server.videos_of(channel_id) == [record.youtube_video_id]
        assert server.videos[record.youtube_video_id]["snippet"]["channelId"] == channel_id
        # The thumbnail and the captions were set with the same channel's token (the
        # stand-in answers 403 to another channel's).
        assert record.thumbnail is not None and record.captions_id is not None
    assert len(server.videos) == 3
    assert server.videos_of(server.channel_id) == []  # the fleet-wide token uploaded nothing


def test_the_days_quota_counts_the_channels_own_identities(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # No fleet-wide identity: the channels' own ones upload, so their quota is counted.
    for slug, (token, _channel_id) in IDENTITIES.items():
        stem = "YTEMPIRE_YOUTUBE_" + slug.upper().replace("-", "_")
        monkeypatch.setenv(f"{stem}_CLIENT_ID", CLIENT_ID)
        monkeypatch.setenv(f"{stem}_CLIENT_SECRET", CLIENT_SECRET)
        monkeypatch.setenv(f"{stem}_REFRESH_TOKEN", token)
    settings = Settings(workspace=tmp_path / "runs", youtube_quota_units_per_day=2 * 2051)
    chosen = load_channels(channels_file(tmp_path / "channels.yaml"))

    plan = _plan(DAY, chosen, "test", 1, settings)

    assert [v.job.channel for v in plan.videos] == ["cosmos-explained", "future-gadgets"]
    [dropped] = plan.dropped
    assert dropped.channel == "money-basics"
    assert dropped.reason == "YouTube quota: 0 of 4,102 units left, an upload needs 2,051"


def test_a_kept_slot_takes_the_identity_its_profile_names_now(tmp_path: Path) -> None:
    # The first run of the day planned before the profiles named their YouTube channels
    # (its uploads were refused); the re-run after they do must not keep the old jobs' None.
    settings = Settings(workspace=tmp_path / "runs")
    profiles = load_channels(channels_file(tmp_path / "channels.yaml"))
    unnamed = [c.model_copy(update={"youtube_channel_id": None}) for c in profiles]

    first = _plan(DAY, unnamed, "test", 1, settings)
    second = _plan(DAY, profiles, "test", 1, settings)

    assert all(v.job.youtube_channel_id is None for v in first.videos)
    assert [(v.job.video_id, v.job.topic) for v in second.videos] == [
        (v.job.video_id, v.job.topic) for v in first.videos
    ]
    assert [v.job.youtube_channel_id for v in second.videos] == [
        channel_id for _token, channel_id in IDENTITIES.values()
    ]
