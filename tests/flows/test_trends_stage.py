"""The trends stage under Prefect: the YouTube Data API through the real client, and the
local topics file when the API fails, recorded as a fallback."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from prefect import flow

from tasks.trends import detect_trends
from tests.servers.youtube_data import YouTubeDataServer
from ytempire.analytics.store import AnalyticsStore
from ytempire.models import TrendReport, VideoJob
from ytempire.settings import Settings

KEY = "AIzaTHISKEYMUSTNEVERLEAK000"


@flow
def trends_only(job: VideoJob, run_id: uuid.UUID) -> TrendReport:
    return detect_trends(job, Settings(), run_id)


@pytest.fixture
def youtube(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[YouTubeDataServer]:
    with YouTubeDataServer(api_key=KEY) as server:
        monkeypatch.setenv("YTEMPIRE_WORKSPACE", str(tmp_path / "runs"))
        monkeypatch.setenv("YOUTUBE_API_KEY", KEY)
        monkeypatch.setenv("YTEMPIRE_YOUTUBE_API_ENDPOINT", server.url)
        monkeypatch.setenv("YTEMPIRE_RETRY_DELAY_SCALE", "0.01")
        yield server


def test_youtube_most_popular_and_niche_search_feed_the_report(
    youtube: YouTubeDataServer,
) -> None:
    report = trends_only(VideoJob(niche="science"), uuid.uuid4())
    assert report.engine == "youtube-data-api"
    assert report.topics and report.fallbacks == []
    chart = youtube.requests_to("videos")[0]
    assert chart.params["chart"] == "mostPopular" and chart.params["regionCode"] == "US"
    assert youtube.requests_to("search")


def test_a_mexican_spanish_job_asks_for_mexico_in_spanish(youtube: YouTubeDataServer) -> None:
    trends_only(VideoJob(niche="ciencia", language="es-MX"), uuid.uuid4())
    search = youtube.requests_to("search")[0]
    assert (search.params["regionCode"], search.params["relevanceLanguage"]) == ("MX", "es")


def test_server_errors_are_retried_then_the_topics_file_takes_over(
    youtube: YouTubeDataServer,
) -> None:
    youtube.fail_next("videos", 500, "backendError", times=10)
    run_id = uuid.uuid4()
    report = trends_only(VideoJob(), run_id)
    assert len(youtube.requests_to("videos")) == 4  # one call and three retries
    assert report.engine == "local-topics-file"
    assert report.fallbacks[0].startswith("youtube-data-api failed:")
    (event,) = AnalyticsStore(Settings().analytics_url).events(run_id)
    assert event.model_used == "local-topics-file"
    assert KEY not in (event.error_message or "")


def test_exhausted_quota_falls_back_at_once(youtube: YouTubeDataServer) -> None:
    youtube.fail_next("videos", 403, "quotaExceeded")
    report = trends_only(VideoJob(), uuid.uuid4())
    assert len(youtube.requests_to("videos")) == 1
    assert report.engine == "local-topics-file"
    assert "quota" in report.fallbacks[0].lower()
    assert KEY not in report.fallbacks[0]
