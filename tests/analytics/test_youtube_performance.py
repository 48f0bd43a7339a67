"""Daily performance from the YouTube Analytics API (the real client, over TLS, against a
local stand-in), and how the store keeps it: one row per video per day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from tests.servers.youtube_upload import REPORTS_PATH, YouTubeUploadServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.analytics.youtube_performance import YouTubeAnalytics
from ytempire.resilience.errors import ErrorKind, InvalidOutput, ProviderError

DAY = date(2026, 11, 16)


def analytics(server: YouTubeUploadServer) -> YouTubeAnalytics:
    return YouTubeAnalytics(
        server.oauth(), api_endpoint=server.url, ca_certs=server.ca_certs, timeout_s=10
    )


def test_daily_views_and_view_duration_of_one_video(
    youtube_upload_server: YouTubeUploadServer,
) -> None:
    server = youtube_upload_server
    server.performance["vid00000001"] = {
        DAY + timedelta(days=i): (100 * (i + 1), 40 + i) for i in range(5)
    }
    server.performance["other000001"] = {DAY: (9999, 1)}

    days = analytics(server).daily("vid00000001", DAY + timedelta(days=1), DAY + timedelta(days=3))

    assert [(d.day, d.views, d.average_view_duration_s) for d in days] == [
        (DAY + timedelta(days=1), 200, 41.0),
        (DAY + timedelta(days=2), 300, 42.0),
        (DAY + timedelta(days=3), 400, 43.0),
    ]
    assert all(d.youtube_video_id == "vid00000001" and d.impressions_ctr is None for d in days)
    [query] = server.calls("GET", REPORTS_PATH)
    assert query.params["ids"] == "channel==MINE"
    assert query.params["dimensions"] == "day"
    assert query.params["filters"] == "video==vid00000001"
    assert query.params["metrics"] == "views,averageViewDuration"
    assert (query.params["startDate"], query.params["endDate"]) == ("2026-11-17", "2026-11-19")


def test_no_data_yet_is_no_rows(youtube_upload_server: YouTubeUploadServer) -> None:
    # The API leaves "rows" out of a table with no data (analytics lag about two days).
    assert analytics(youtube_upload_server).daily("fresh000001", DAY, DAY) == []


@pytest.mark.parametrize(
    ("behaviour", "kind"), [("500", ErrorKind.api_error), ("quota", ErrorKind.rejected)]
)
def test_failures_come_out_in_the_error_vocabulary(
    youtube_upload_server: YouTubeUploadServer, behaviour: str, kind: ErrorKind
) -> None:
    youtube_upload_server.script("reports", behaviour)
    with pytest.raises(ProviderError) as info:
        analytics(youtube_upload_server).daily("vid00000001", DAY, DAY)
    assert info.value.kind is kind
    assert str(info.value).startswith("youtube-analytics: reports.query: HTTP")


def test_a_table_without_the_asked_columns_is_invalid_output(
    youtube_upload_server: YouTubeUploadServer,
) -> None:
    with pytest.raises(ValueError, match="before start"):
        analytics(youtube_upload_server).daily("vid00000001", DAY, DAY - timedelta(days=1))
    youtube_upload_server.performance["vid00000001"] = {DAY: (-5, 3)}
    with pytest.raises(InvalidOutput, match="unexpected values"):
        analytics(youtube_upload_server).daily("vid00000001", DAY, DAY)


def test_fetching_a_day_again_replaces_its_row(store_url: str) -> None:
    store = AnalyticsStore(store_url)
    video = uuid.uuid4().hex
    store.record_video(video, "science", "Black holes", "T", "youtube", "u", youtube_video_id="Y1")
    store.record_video(uuid.uuid4().hex, "science", "Other", "T", "outbox", "/x")

    first = datetime(2026, 11, 20, tzinfo=UTC)
    days = [
        {"day": DAY, "views": 10, "average_view_duration_s": 30.0, "impressions_ctr": None},
        {"day": DAY + timedelta(days=1), "views": 5, "average_view_duration_s": 20.0},
    ]
    assert store.record_performance(video, "Y1", days, fetched_at=first) == 2
    later = first + timedelta(days=1)
    settled = [{"day": DAY, "views": 12, "average_view_duration_s": 31.5, "impressions_ctr": 0.05}]
    assert store.record_performance(video, "Y1", settled, fetched_at=later) == 1

    rows = store.performance(video)
    assert [(r.day, r.views, r.average_view_duration_s, r.impressions_ctr) for r in rows] == [
        (DAY, 12, 31.5, 0.05),
        (DAY + timedelta(days=1), 5, 20.0, None),
    ]
    assert rows[0].youtube_video_id == "Y1"
    assert [v.youtube_video_id for v in store.youtube_videos()] == ["Y1"]
