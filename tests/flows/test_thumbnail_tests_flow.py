"""The thumbnail-tests flow: a published video's test starts with its best-ranked variant
set live on YouTube, acting for its channel; the day's table artifact."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from flows.thumbnail_tests import ARTIFACT_KEY, run_thumbnail_tests
from tests.flows.test_learning_flows import artifact
from tests.flows.test_tracking_flow import published, workspace, youtube  # noqa: F401
from tests.learning.test_thumbnail_tests import variants
from tests.servers.youtube_reporting import (  # noqa: F401  (a pytest fixture)
    YouTubeReportingServer,
    youtube_reporting_server,
)
from tests.servers.youtube_upload import YouTubeUploadServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.learning import thumbnail_tests
from ytempire.publish.youtube import RECORD_FILE, UploadRecord
from ytempire.settings import Settings
from ytempire.workspace import VideoFolder, write_json

YT = "Y0000000001"


def test_a_published_video_starts_its_test_with_the_best_ranked_variant(
    workspace: Path,  # noqa: F811
    youtube: YouTubeUploadServer,  # noqa: F811
    youtube_reporting_server: YouTubeReportingServer,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("YTEMPIRE_YOUTUBE_UPLOAD_ENDPOINT", youtube.url)
    monkeypatch.setenv("YTEMPIRE_YOUTUBE_REPORTING_ENDPOINT", youtube_reporting_server.url)
    video_id = published(AnalyticsStore(Settings(workspace=workspace).analytics_url), YT)
    youtube.videos[YT] = {}
    youtube.owners[YT] = youtube.channel_id
    folder = VideoFolder(workspace, video_id).create()
    first, _second = variants(folder)
    record = UploadRecord(
        idempotency_key="k",
        video_sha256="0" * 64,
        youtube_video_id=YT,
        privacy_status="private",
        uploaded_at=datetime.now(UTC),
        channel_id=youtube.channel_id,
    )
    write_json(folder / RECORD_FILE, record)

    run = run_thumbnail_tests(today=date(2026, 11, 2), workspace=str(workspace))

    (test,) = run.tests
    assert test.set_on == {date(2026, 11, 2): "thumbnails/thumbnail_a.png"}
    assert youtube.thumbnails[YT][1] == first.read_bytes()
    assert thumbnail_tests.load(folder) == test
    assert [j.report_type for j in youtube_reporting_server.jobs.values()] == [
        "channel_reach_basic_a1"
    ]
    assert run.weights_version is None  # nothing measured yet
    table = artifact(ARTIFACT_KEY)
    assert table is not None and YT in table
