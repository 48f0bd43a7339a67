"""The YouTube trend source: the real Google client against a local server speaking the API."""

from __future__ import annotations

import logging
import socket
import traceback
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.servers.youtube_data import SEARCH_PATH, VIDEOS_PATH, YouTubeDataServer
from ytempire.resilience.errors import (
    ErrorKind,
    InvalidOutput,
    ProviderError,
    ProviderRejected,
    ProviderTimeout,
    ProviderUnavailable,
    retry_delay,
)
from ytempire.trends.source import TrendSource
from ytempire.trends.youtube import (
    Video,
    YouTubeTrendSource,
    key_phrases,
    region_for,
    topics_from_videos,
)

KEY = "AIzaSyTest-k3y-0123456789abcdefghij"


@pytest.fixture
def server() -> Iterator[YouTubeDataServer]:
    with YouTubeDataServer(api_key=KEY) as running:
        yield running


@pytest.fixture
def source(server: YouTubeDataServer) -> YouTubeTrendSource:
    return YouTubeTrendSource(KEY, api_endpoint=server.url, timeout_s=5)


def failure(source: YouTubeTrendSource, niche: str | None = None) -> ProviderError:
    with pytest.raises(ProviderError) as info:
        source.detect(niche)
    return info.value


def assert_no_key(exc: BaseException) -> None:
    shown = "".join(traceback.format_exception(exc))
    assert KEY not in shown
    assert KEY not in repr(exc.args)
    assert "\n" not in str(exc)


# -- requests ---------------------------------------------------------------------------------


def test_most_popular_chart_is_asked_for_the_region_and_category(
    server: YouTubeDataServer,
) -> None:
    source = YouTubeTrendSource(
        KEY, region="GB", category_id="28", max_results=10, api_endpoint=server.url
    )
    assert isinstance(source, TrendSource)
    report = source.detect(None)

    assert report.engine == source.name == "youtube-data-api"
    # Without a niche one call: one quota unit.
    [call] = server.requests
    assert call.path == VIDEOS_PATH
    assert call.params["chart"] == "mostPopular"
    assert call.params["regionCode"] == "GB"
    assert call.params["videoCategoryId"] == "28"
    assert call.params["maxResults"] == "10"
    assert call.params["part"] == "snippet,statistics"
    assert call.params["key"] == KEY
    # Only Science & Technology videos: no music, sport or games.
    keywords = {t.keyword for t in report.topics}
    assert {"spacex", "solid state batteries", "james webb telescope"} <= keywords
    assert not keywords & {"taylor swift", "minecraft", "champions league"}


def test_no_category_means_no_category_parameter(
    server: YouTubeDataServer, source: YouTubeTrendSource
) -> None:
    source.detect(None)
    assert "videoCategoryId" not in server.requests[0].params
    assert server.requests[0].params["regionCode"] == "US"


def test_the_channels_language_and_region_are_asked_for(server: YouTubeDataServer) -> None:
    source = YouTubeTrendSource(KEY, region="MX", language_code="es", api_endpoint=server.url)
    source.detect("ciencia")
    chart, search = server.requests_to(VIDEOS_PATH)[0], server.requests_to(SEARCH_PATH)[0]
    assert (chart.params["regionCode"], chart.params["hl"]) == ("MX", "es")
    assert (search.params["regionCode"], search.params["relevanceLanguage"]) == ("MX", "es")


def test_the_region_is_the_channels_then_its_languages_then_the_setting() -> None:
    assert region_for("es-MX", "AR", "US") == "AR"
    assert region_for("pt-BR", None, "US") == "BR"
    assert region_for("ja", None, "US") == "US"


def test_niche_search_covers_the_last_week_and_fetches_statistics_for_new_videos(
    server: YouTubeDataServer, source: YouTubeTrendSource
) -> None:
    report = source.detect("science")

    [search] = server.requests_to(SEARCH_PATH)
    assert search.params["q"] == "science"
    assert search.params["type"] == "video"
    assert search.params["order"] == "viewCount"
    assert search.params["part"] == "snippet"
    after = datetime.fromisoformat(search.params["publishedAfter"].replace("Z", "+00:00"))
    assert abs(datetime.now(UTC) - timedelta(days=7) - after) < timedelta(minutes=1)

    chart, stats = server.requests_to(VIDEOS_PATH)
    assert chart.params["chart"] == "mostPopular"
    # Statistics only for what the chart did not already bring, most viewed first.
    assert stats.params["id"] == "mQ7yUi2Oe6R,kH4fTj8Wn5P"
    assert "maxResults" not in stats.params

    black_holes = next(t for t in report.topics if t.keyword == "black holes")
    assert black_holes.volume == 450_000 + 800_000
    assert "hawking radiation" in black_holes.related


def test_topics_are_grouped_scored_and_ordered(source: YouTubeTrendSource) -> None:
    report = source.detect(None)
    scores = [t.score for t in report.topics]
    assert scores == sorted(scores, reverse=True)
    by_keyword = {t.keyword: t for t in report.topics}
    # The two Starship videos share their tags: one topic with both videos' views.
    assert by_keyword["spacex"].volume == 3_200_000 + 2_100_000
    assert "starship" in by_keyword["spacex"].related
    # A video alone is named by its own most specific tag, boilerplate gone.
    assert "taylor swift" in by_keyword
    assert "james webb telescope" in by_keyword
    assert not any("official" in k or "highlights" in k for k in by_keyword)
    # Without a niche the biggest fast movers lead.
    assert report.topics[0].keyword == "taylor swift"


def test_niche_topics_lead_for_a_niche_channel(source: YouTubeTrendSource) -> None:
    keywords = [t.keyword for t in source.detect("science").topics]
    assert keywords[0] == "spacex"
    # Pop music still appears, but below the niche's own topics of real size.
    assert keywords.index("taylor swift") > keywords.index("james webb telescope")
    assert keywords.index("taylor swift") > keywords.index("solid state batteries")


def test_detect_is_deterministic(source: YouTubeTrendSource) -> None:
    first = source.detect("space")
    again = source.detect("space")
    assert [t.keyword for t in first.topics] == [t.keyword for t in again.topics]


# -- failures -----------------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ["quotaExceeded", "dailyLimitExceeded"])
def test_spent_quota_is_rejected_without_retry(
    server: YouTubeDataServer, source: YouTubeTrendSource, reason: str
) -> None:
    server.fail_next("videos", 403, reason)
    exc = failure(source)
    assert isinstance(exc, ProviderRejected)
    assert exc.kind is ErrorKind.rejected and exc.provider == "youtube"
    assert f"HTTP 403 {reason}" in str(exc)
    assert "<a" not in str(exc)  # the API's message carries an HTML link
    assert retry_delay(exc, 1) is None
    assert_no_key(exc)


@pytest.mark.parametrize(
    ("status", "reason"),
    [(500, "backendError"), (503, ""), (429, "rateLimitExceeded"), (403, "rateLimitExceeded")],
)
def test_rate_limits_and_server_errors_are_worth_retrying(
    server: YouTubeDataServer, source: YouTubeTrendSource, status: int, reason: str
) -> None:
    server.fail_next("videos", status, reason)
    exc = failure(source)
    assert isinstance(exc, ProviderUnavailable)
    assert f"HTTP {status}" in str(exc)
    assert retry_delay(exc, 1) == 1.0
    assert_no_key(exc)
    # The next call goes through: the failure was one answer, not a broken client.
    assert source.detect(None).topics


def test_retry_after_is_passed_on(server: YouTubeDataServer, source: YouTubeTrendSource) -> None:
    server.fail_next("videos", 429, "rateLimitExceeded", retry_after=7)
    exc = failure(source)
    assert isinstance(exc, ProviderUnavailable)
    assert exc.retry_after_s == 7


def test_failure_of_the_niche_search_is_translated_too(
    server: YouTubeDataServer, source: YouTubeTrendSource
) -> None:
    server.fail_next("search", 403, "quotaExceeded")
    exc = failure(source, "science")
    assert isinstance(exc, ProviderRejected)
    assert str(exc).startswith("youtube: search.list: HTTP 403 quotaExceeded")


def test_wrong_key_and_unknown_category_are_rejected(server: YouTubeDataServer) -> None:
    wrong = YouTubeTrendSource("AIzaSyWrong-0123456789abcdefghijkl", api_endpoint=server.url)
    exc = failure(wrong)
    assert isinstance(exc, ProviderRejected)
    assert "API key not valid" in str(exc)
    assert "AIzaSyWrong" not in "".join(traceback.format_exception(exc))

    no_chart = YouTubeTrendSource(KEY, category_id="99", api_endpoint=server.url)
    exc = failure(no_chart)
    assert isinstance(exc, ProviderRejected)
    assert "HTTP 404 videoChartNotFound" in str(exc)


def test_key_echoed_by_the_server_is_masked(
    server: YouTubeDataServer, source: YouTubeTrendSource
) -> None:
    server.fail_next("videos", 400, "keyInvalid", message=f"bad request for key={KEY}\nline two")
    exc = failure(source)
    assert isinstance(exc, ProviderRejected)
    assert "key=***" in str(exc)
    assert_no_key(exc)


@pytest.mark.parametrize(
    "body",
    [b"{not json", b"<html><body>Service Unavailable</body></html>", b'{"items": [{"id": 1}]}'],
)
def test_malformed_answers_are_invalid_output(
    server: YouTubeDataServer, source: YouTubeTrendSource, body: bytes
) -> None:
    server.reply_next("videos", body)
    exc = failure(source)
    assert isinstance(exc, InvalidOutput)
    assert exc.kind is ErrorKind.invalid_output
    assert str(exc).startswith("youtube: videos.list mostPopular: unexpected answer")
    assert_no_key(exc)


def test_no_answer_in_time_is_a_timeout(server: YouTubeDataServer) -> None:
    server.stall_next("videos", 2)
    impatient = YouTubeTrendSource(KEY, api_endpoint=server.url, timeout_s=0.2)
    exc = failure(impatient)
    assert isinstance(exc, ProviderTimeout)
    assert exc.kind is ErrorKind.model_timeout
    assert "0.2 s" in str(exc)
    assert_no_key(exc)


def test_nobody_listening_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    closed = YouTubeTrendSource(KEY, api_endpoint=f"http://127.0.0.1:{port}/", timeout_s=2)
    exc = failure(closed)
    assert isinstance(exc, ProviderUnavailable)
    assert "ConnectionRefusedError" in str(exc)
    assert_no_key(exc)


def test_client_debug_logs_do_not_show_the_key(
    source: YouTubeTrendSource, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.DEBUG, logger="googleapiclient"):
        source.detect(None)
    assert "URL being requested" in caplog.text
    assert "key=***" in caplog.text
    assert KEY not in caplog.text


def test_arguments_are_checked_and_the_key_stays_out_of_repr() -> None:
    with pytest.raises(ValueError, match="max_results"):
        YouTubeTrendSource(KEY, max_results=51)
    with pytest.raises(ValueError, match="api_key"):
        YouTubeTrendSource("")
    assert KEY not in repr(YouTubeTrendSource(KEY))


# -- phrases and grouping, without a server -------------------------------------------------------


def test_key_phrases_drop_boilerplate_numbers_and_stop_words() -> None:
    phrases = key_phrases(
        "Taylor Swift - Fortnight (Official Music Video) 2024", ["#TaylorSwift", "Pop Music"]
    )
    assert phrases[:3] == ["taylor", "swift", "fortnight"]
    assert "taylor swift fortnight" in phrases
    assert "taylorswift" in phrases and "pop" in phrases
    assert not any(w in p for p in phrases for w in ("official", "music", "video", "2024"))


def video(video_id: str, title: str, tags: list[str], views: int | None, hours: float) -> Video:
    published = NOW - timedelta(hours=hours)
    return Video.model_validate(
        {
            "id": video_id,
            "snippet": {"title": title, "tags": tags, "publishedAt": published.isoformat()},
            "statistics": {} if views is None else {"viewCount": str(views)},
        }
    )


NOW = datetime(2025, 3, 1, 12, tzinfo=UTC)


def test_growth_is_velocity_against_the_median_group() -> None:
    videos = [
        video("a", "Sourdough starter secrets", ["sourdough"], 10_000, 10),  # 1,000/h
        video("b", "Sourdough in a dutch oven", ["sourdough"], 20_000, 20),  # 1,000/h
        video("c", "Knife sharpening basics", ["knives"], 4_000, 4),  # 1,000/h
        video("d", "Cast iron care", ["cast iron"], 500, 10),  # 50/h
        video("e", "Cast iron myths", ["cast iron"], None, 1),  # count hidden: left out
    ]
    signals = {s.keyword: s for s in topics_from_videos(videos, None, now=NOW)}
    assert set(signals) == {"sourdough", "knives", "cast iron"}
    assert signals["sourdough"].volume == 30_000
    # Group rates 2,000, 1,000 and 50 per hour; the median is 1,000.
    assert signals["sourdough"].growth == pytest.approx(1.0)
    assert signals["knives"].growth == pytest.approx(0.0)
    assert signals["cast iron"].growth == pytest.approx(-0.95)
    assert all(s.velocity == 1.0 for s in signals.values())  # all published this week


def test_niche_relevance_comes_from_search_or_words() -> None:
    videos = [
        video("a", "Sourdough starter secrets", ["baking"], 10_000, 10),
        video("b", "Knife sharpening basics", ["knives"], 4_000, 4),
        video("c", "Championship final recap", ["football"], 90_000, 4),
    ]
    signals = topics_from_videos(videos, "baking", now=NOW, niche_ids=frozenset({"b"}))
    relevance = {s.keyword: s.relevance for s in signals}
    assert relevance["baking"] == 1.0  # names the niche
    assert relevance["knives"] == 1.0  # found by the niche search
    assert relevance["football"] < 1.0
