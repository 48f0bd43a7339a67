"""The track-performance flow: YouTube Analytics (the real client, over TLS, against the
local stand-in) into the analytics store, with a table artifact; each video read with the
identity of the channel that published it; nothing offline."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

from blocks.credentials import YouTubeCredentials
from flows.tracking import track_performance
from tests.servers.youtube_upload import (
    CHANNEL_ID,
    CLIENT_ID,
    CLIENT_SECRET,
    REFRESH_TOKEN,
    YouTubeUploadServer,
)
from ytempire.analytics.store import AnalyticsStore
from ytempire.settings import Settings


@pytest.fixture
def workspace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
    return tmp_path / "runs"


@pytest.fixture
def youtube(
    workspace: Path, youtube_upload_server: YouTubeUploadServer, monkeypatch: pytest.MonkeyPatch
) -> YouTubeUploadServer:
    server = youtube_upload_server
    for name, value in {
        # The identity of the channel "science" (its slugged variables) and where Google is.
        "SCIENCE_CLIENT_ID": server.client_id,
        "SCIENCE_CLIENT_SECRET": CLIENT_SECRET,
        "SCIENCE_REFRESH_TOKEN": REFRESH_TOKEN,
        "TOKEN_URI": server.token_uri,
        "ANALYTICS_ENDPOINT": server.url,
        "CA_CERTS": str(server.ca_certs),
    }.items():
        monkeypatch.setenv(f"YTEMPIRE_YOUTUBE_{name}", value)
    return server


def published(store: AnalyticsStore, youtube_video_id: str | None, channel: str = "science") -> str:
    video_id = uuid.uuid4().hex
    destination = "youtube" if youtube_video_id else "outbox"
    store.record_video(
        video_id, channel, f"Topic {video_id[:6]}", "Title", destination, "somewhere",
        youtube_video_id=youtube_video_id,
    )  # fmt: skip
    return video_id


def artifact_rows(key: str) -> str:
    async def read() -> str:
        async with get_client() as client:
            found = await client.read_artifacts(
                artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key]))
            )
        return str(found[0].data) if found else ""

    return asyncio.run(read())


def test_offline_the_flow_says_so_and_does_nothing(
    workspace: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    published(store, "Y0000000001")
    result = track_performance(days=3, workspace=str(workspace))
    assert result.configured is False and result.videos == 0 and result.artifact_key is None
    assert "No YouTube identity for any channel" in caplog.text
    assert result.skipped == [
        "channel 'science' has no YouTube credentials (its profile names no "
        "youtube_credentials block and YTEMPIRE_YOUTUBE_SCIENCE_CLIENT_ID, "
        "YTEMPIRE_YOUTUBE_SCIENCE_CLIENT_SECRET, YTEMPIRE_YOUTUBE_SCIENCE_REFRESH_TOKEN are unset)"
    ]
    assert store.performance() == []


def test_daily_numbers_of_youtube_videos_are_stored_once_per_day(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    first, second = published(store, "Y0000000001"), published(store, "Y0000000002")
    published(store, None)  # the outbox only: nothing to fetch
    today = datetime.now(UTC).date()
    youtube.performance["Y0000000001"] = {
        today - timedelta(days=d): (100 + d, 30 + d) for d in range(5)
    }
    youtube.performance["Y0000000002"] = {today - timedelta(days=1): (7, 12)}

    result = track_performance(days=3, workspace=str(workspace))

    assert (result.configured, result.videos, result.days_stored) == (True, 2, 4)
    assert result.artifact_key == f"performance-{today.isoformat()}"
    rows = store.performance(first)
    assert [(r.day, r.views, r.average_view_duration_s) for r in rows] == [
        (today - timedelta(days=2), 102, 32.0),
        (today - timedelta(days=1), 101, 31.0),
        (today, 100, 30.0),
    ]
    assert all(r.impressions_ctr is None for r in rows)
    assert [(r.views, r.youtube_video_id) for r in store.performance(second)] == [
        (7, "Y0000000002")
    ]
    assert "Y0000000002" in artifact_rows(result.artifact_key)

    # The numbers settle: fetching again replaces the days, never duplicates them.
    youtube.performance["Y0000000001"][today] = (150, 35)
    track_performance(days=3, workspace=str(workspace))
    again = store.performance(first)
    assert len(again) == 3 and again[-1].views == 150


def test_a_video_that_cannot_be_fetched_fails_the_run_after_the_others_are_stored(
    youtube: YouTubeUploadServer, workspace: Path
) -> None:
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    published(store, "Y0000000001")
    published(store, "Y0000000002")
    today = datetime.now(UTC).date()
    youtube.performance["Y0000000001"] = {today: (10, 20)}
    youtube.performance["Y0000000002"] = {today: (11, 21)}
    youtube.script("reports", "forbidden")  # permanent: not retried

    state = track_performance(days=1, workspace=str(workspace), return_state=True)

    assert state.is_failed()
    assert "1 of 2 videos could not be fetched" in str(state.message)
    assert len(store.performance()) == 1
    assert CLIENT_SECRET not in str(state.message)


GADGETS_TOKEN = "1//0refresh-token-of-future-gadgets-qrstuv"
GADGETS_CHANNEL = "UCgadgetschannel00000000"


def test_each_video_is_read_with_the_identity_of_its_channel(
    youtube: YouTubeUploadServer,
    workspace: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # science: its slugged variables (the fixture); gadgets: the block its profile names;
    # music: nothing, skipped. Each server video belongs to its channel, and the stand-in
    # answers 403 to a token of another channel, so reading both proves who read what.
    youtube.add_identity(GADGETS_TOKEN, GADGETS_CHANNEL, "Future Gadgets")
    YouTubeCredentials(
        client_id=CLIENT_ID, client_secret=CLIENT_SECRET, refresh_token=GADGETS_TOKEN
    ).save("gadgets-youtube", overwrite=True)
    channels = tmp_path / "channels.yaml"
    channels.write_text(
        "science:\n  niche: science\n"
        "gadgets:\n  niche: technology\n  youtube_credentials: gadgets-youtube\n"
    )
    monkeypatch.setenv("YTEMPIRE_CHANNELS_FILE", str(channels))
    store = AnalyticsStore(Settings(workspace=workspace).analytics_url)
    science = published(store, "Y0000000001", "science")
    gadgets = published(store, "Y0000000002", "gadgets")
    published(store, "Y0000000003", "music")
    today = datetime.now(UTC).date()
    youtube.owners.update({"Y0000000001": CHANNEL_ID, "Y0000000002": GADGETS_CHANNEL})
    youtube.performance["Y0000000001"] = {today: (10, 20)}
    youtube.performance["Y0000000002"] = {today: (11, 21)}

    result = track_performance(days=1, workspace=str(workspace))

    assert (result.configured, result.videos, result.days_stored) == (True, 2, 2)
    assert [r.views for r in store.performance(science)] == [10]
    assert [r.views for r in store.performance(gadgets)] == [11]
    [skipped] = result.skipped
    assert skipped.startswith("channel 'music' has no YouTube credentials")
    # And the stand-in does refuse a token of the wrong channel.
    youtube.owners["Y0000000002"] = CHANNEL_ID
    state = track_performance(days=1, workspace=str(workspace), return_state=True)
    assert state.is_failed() and "forbidden" in str(state.message)
