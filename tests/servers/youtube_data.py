"""A local stand-in for the YouTube Data API v3: ``videos.list`` and ``search.list``.

A real HTTP server on 127.0.0.1 (a free port, a background thread) that the real
``googleapiclient`` talks to: give the client ``api_endpoint=server.url``. The client's static
discovery document has root ``https://youtube.googleapis.com/`` and paths
``youtube/v3/videos`` and ``youtube/v3/search``; ``api_endpoint`` replaces only the root, so
the server answers ``GET /youtube/v3/videos`` and ``GET /youtube/v3/search``.

Answers follow the API's documented shapes (ids, ``snippet`` with title, tags, publishedAt,
categoryId, ``statistics`` with counts as strings, Google's error envelope) and its rules
that a client can trip over: ``key`` is required, ``part`` is required, ``videos.list``
takes exactly one filter, ``maxResults`` defaults to 5, a chart for an unknown category is
404 ``videoChartNotFound``. The videos come from :data:`FIXTURE_VIDEOS`; their publish times
are relative to the moment of the request, so views per hour are predictable.

Tests script trouble per path (:meth:`YouTubeDataServer.fail_next`, ``reply_next``,
``stall_next``) and read what the client sent from :attr:`YouTubeDataServer.requests`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

from tests.servers.base import ProviderServer, QuietHandler

VIDEOS_PATH = "/youtube/v3/videos"
SEARCH_PATH = "/youtube/v3/search"
DEFAULT_MAX_RESULTS = 5
# The assignable categories of the US region (videoCategories.list), by id.
CATEGORIES = {
    "1": "Film & Animation",
    "10": "Music",
    "17": "Sports",
    "20": "Gaming",
    "22": "People & Blogs",
    "24": "Entertainment",
    "26": "Howto & Style",
    "27": "Education",
    "28": "Science & Technology",
}

_STATUS_NAMES = {
    400: "INVALID_ARGUMENT",
    401: "UNAUTHENTICATED",
    403: "PERMISSION_DENIED",
    404: "NOT_FOUND",
    429: "RESOURCE_EXHAUSTED",
    500: "INTERNAL",
    503: "UNAVAILABLE",
}
# What the real API says for the reasons tests ask for (its quota message carries HTML).
_REASON_MESSAGES = {
    "quotaExceeded": (
        "youtube.quota",
        "The request cannot be completed because you have exceeded your "
        '<a href="/youtube/v3/getting-started#quota">quota</a>.',
    ),
    "dailyLimitExceeded": ("usageLimits", "Daily Limit Exceeded."),
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "backendError": ("global", "Backend Error"),
    "forbidden": ("global", "The request is missing a valid API key."),
    "badRequest": ("global", "API key not valid. Please pass a valid API key."),
    "keyInvalid": ("global", "API key not valid. Please pass a valid API key."),
    "videoChartNotFound": (
        "youtube.video",
        "The requested video chart is not supported or is not available.",
    ),
}


@dataclass(frozen=True)
class FixtureVideo:
    """One video the server knows: what the API would report about it."""

    id: str
    title: str
    tags: tuple[str, ...]
    category_id: str
    channel: str
    hours_ago: float
    views: int
    likes: int
    # In the mostPopular chart of these regions; empty: only search finds it.
    charts: frozenset[str] = frozenset({"US", "GB"})
    # Words search matches besides title and tags (what YouTube infers about the video).
    about: tuple[str, ...] = ()


FIXTURE_VIDEOS: tuple[FixtureVideo, ...] = (
    FixtureVideo(
        "aX9kLm3Qp0A",
        "Starship Flight 8 Launch: Full Recap",
        ("spacex", "starship", "rocket launch"),
        "28",
        "Everyday Astronaut",
        20,
        3_200_000,
        141_000,
        about=("science", "space"),
    ),
    FixtureVideo(
        "bT4nVw8Rs2E",
        "SpaceX Starship Catches the Booster Again!",
        ("spacex", "starship", "booster catch"),
        "28",
        "Marcus House",
        40,
        2_100_000,
        88_000,
        about=("science", "space"),
    ),
    FixtureVideo(
        "cJ7hYe5Ui1O",
        "Solid State Batteries Are Finally Here",
        ("solid state batteries", "ev", "battery tech"),
        "28",
        "Undecided with Matt Ferrell",
        30,
        900_000,
        37_000,
        about=("technology", "science"),
    ),
    FixtureVideo(
        "dR2gBn6Tk9L",
        "Why Solid State Batteries Change Everything",
        ("solid state batteries", "electric cars"),
        "28",
        "Real Engineering",
        70,
        600_000,
        29_000,
        about=("technology", "science"),
    ),
    FixtureVideo(
        "eW5jCz1Xa4S",
        "James Webb Telescope Finds Water on a Distant Planet",
        ("james webb telescope", "exoplanets", "space"),
        "28",
        "Dr. Becky",
        26,
        1_100_000,
        52_000,
        about=("science", "astronomy"),
    ),
    FixtureVideo(
        "fP8mQa2Zd7H",
        "Minecraft Hardcore: I Survived 100 Days",
        ("minecraft", "hardcore"),
        "20",
        "Luke TheNotable",
        15,
        1_500_000,
        61_000,
    ),
    FixtureVideo(
        "gK3sDf9Lh6J",
        "Minecraft, But Every Block Is Random",
        ("minecraft", "minecraft mods"),
        "20",
        "Dream",
        35,
        2_400_000,
        120_000,
    ),
    FixtureVideo(
        "hN6vRt4Yw8K",
        "Taylor Swift - Fortnight (Official Music Video)",
        ("taylor swift", "pop"),
        "10",
        "TaylorSwiftVEVO",
        60,
        12_000_000,
        900_000,
    ),
    FixtureVideo(
        "iB1cXm7Vq3M",
        "Champions League Highlights: Real Madrid vs Arsenal",
        ("champions league", "football", "real madrid"),
        "17",
        "CBS Sports Golazo",
        18,
        4_000_000,
        75_000,
    ),
    FixtureVideo(
        "jL9dHs5Gp2N",
        "Gordon Ramsay Cooks the Perfect Steak",
        ("cooking", "steak", "gordon ramsay"),
        "26",
        "Gordon Ramsay",
        90,
        700_000,
        21_000,
    ),
    FixtureVideo(
        "kH4fTj8Wn5P",
        "How Black Holes Evaporate (Hawking Radiation Explained)",
        ("black holes", "hawking radiation", "physics"),
        "27",
        "PBS Space Time",
        50,
        450_000,
        24_000,
        charts=frozenset(),
        about=("science", "space", "astronomy"),
    ),
    FixtureVideo(
        "mQ7yUi2Oe6R",
        "Black Holes Are Weirder Than You Think",
        ("black holes", "astrophysics", "space"),
        "27",
        "Kurzgesagt – In a Nutshell",
        100,
        800_000,
        61_000,
        charts=frozenset(),
        about=("science", "space", "astronomy"),
    ),
    FixtureVideo(
        "nZ5wEr1Ty9S",
        "The Science of Sourdough Bread",
        ("sourdough", "baking", "fermentation"),
        "26",
        "Adam Ragusea",
        400,  # older than a week: search with publishedAfter leaves it out
        300_000,
        9_000,
        charts=frozenset(),
        about=("science", "cooking"),
    ),
)


@dataclass(frozen=True)
class RecordedRequest:
    """One request as the server received it; ``params`` keeps each query key's first value."""

    method: str
    path: str
    params: dict[str, str]
    headers: dict[str, str]


@dataclass
class _Scripted:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    then_serve: bool = False  # after the delay, answer normally


class YouTubeDataServer(ProviderServer):
    """The stand-in server; use as a context manager, point the client at :attr:`url`.

    It is scripted per path (``fail_next``, ``reply_next``, ``stall_next``) rather than with
    the shared behaviour queue, because the client calls two methods in one stage."""

    def __init__(
        self, videos: Sequence[FixtureVideo] = FIXTURE_VIDEOS, *, api_key: str | None = None
    ) -> None:
        """``api_key``: when given, any other key is answered 400 ``keyInvalid``."""
        super().__init__(_handler_for(self))
        self.videos = list(videos)
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._scripted: dict[str, deque[_Scripted]] = {}

    @property
    def url(self) -> str:
        """The API root to give the client as ``api_endpoint``."""
        return f"{self.address}/"

    # -- scripting --------------------------------------------------------------------------

    def fail_next(
        self,
        path: str,
        status: int,
        reason: str = "",
        message: str | None = None,
        *,
        times: int = 1,
        retry_after: float | None = None,
    ) -> None:
        """Answer the next ``times`` requests to ``path`` with Google's error envelope.

        ``path`` is ``"videos"``, ``"search"`` or the full path. ``message`` defaults to what
        the API says for ``reason``.
        """
        domain, default = _REASON_MESSAGES.get(reason, ("global", f"HTTP {status}"))
        text = default if message is None else message
        errors = [{"message": text, "domain": domain, "reason": reason}] if reason else []
        envelope = {
            "error": {
                "code": status,
                "message": text,
                "errors": errors,
                "status": _STATUS_NAMES.get(status, "UNKNOWN"),
            }
        }
        headers = {} if retry_after is None else {"Retry-After": f"{retry_after:g}"}
        for _ in range(times):
            self._script(path, _Scripted(status, json.dumps(envelope).encode(), headers))

    def reply_next(
        self, path: str, body: bytes, status: int = 200, content_type: str = "application/json"
    ) -> None:
        """Answer the next request to ``path`` with exactly ``body`` (malformed JSON, HTML)."""
        self._script(path, _Scripted(status, body, {"Content-Type": content_type}))

    def stall_next(self, path: str, seconds: float) -> None:
        """Hold the next answer to ``path`` back for ``seconds`` (a client timeout), then serve."""
        self._script(path, _Scripted(200, b"", delay_s=seconds, then_serve=True))

    def requests_to(self, path: str) -> list[RecordedRequest]:
        """The requests received for ``path`` (short or full form), oldest first."""
        full = _full_path(path)
        with self._lock:
            return [r for r in self.requests if r.path == full]

    def _script(self, path: str, scripted: _Scripted) -> None:
        with self._lock:
            self._scripted.setdefault(_full_path(path), deque()).append(scripted)

    def _next_scripted(self, path: str) -> _Scripted | None:
        with self._lock:
            queue = self._scripted.get(path)
            return queue.popleft() if queue else None

    # -- the API ----------------------------------------------------------------------------

    def answer(self, path: str, params: dict[str, str]) -> tuple[int, dict[str, object]]:
        """The status and JSON body the API would give for this request."""
        if "key" not in params:
            return _error(403, "forbidden")
        if self.api_key is not None and params["key"] != self.api_key:
            return _error(400, "badRequest")
        if "part" not in params:
            return _error(400, "required", "Required parameter: part")
        now = datetime.now(UTC)
        if path == VIDEOS_PATH:
            return self._videos_list(params, now)
        if path == SEARCH_PATH:
            return self._search_list(params, now)
        return _error(404, "notFound", f"Method not found: {path}")

    def _videos_list(self, params: dict[str, str], now: datetime) -> tuple[int, dict[str, object]]:
        filters = [f for f in ("chart", "id", "myRating") if f in params]
        if len(filters) != 1:
            return _error(
                400,
                "missingRequiredParameter",
                "No filter selected. Expected one of: myRating, chart, id",
            )
        parts = set(params["part"].split(","))
        if "id" in params:
            wanted = params["id"].split(",")
            by_id = {v.id: v for v in self.videos}
            # Unknown ids are left out silently, as the API does.
            chosen = [by_id[i] for i in wanted if i in by_id]
        else:
            if params["chart"] != "mostPopular":
                return _error(400, "invalidChart", f"Unsupported chart: {params['chart']}")
            region = params.get("regionCode", "US")
            category = params.get("videoCategoryId")
            if category is not None and category not in CATEGORIES:
                return _error(404, "videoChartNotFound")
            chosen = [
                v
                for v in self.videos
                if region in v.charts and (category is None or v.category_id == category)
            ]
            chosen = chosen[: _max_results(params)]
        items = [_video_resource(v, parts, now) for v in chosen]
        return 200, _list_response("youtube#videoListResponse", items)

    def _search_list(self, params: dict[str, str], now: datetime) -> tuple[int, dict[str, object]]:
        words = set(re.findall(r"\w+", params.get("q", "").lower()))
        after = params.get("publishedAfter")
        since = datetime.fromisoformat(after.replace("Z", "+00:00")) if after else None
        found = [
            v
            for v in self.videos
            if words & _searchable_words(v)
            and (since is None or now - timedelta(hours=v.hours_ago) >= since)
        ]
        if params.get("order") == "viewCount":
            found.sort(key=lambda v: -v.views)
        found = found[: _max_results(params)]
        items: list[dict[str, object]] = [
            {
                "kind": "youtube#searchResult",
                "etag": _etag("search", v.id),
                "id": {"kind": "youtube#video", "videoId": v.id},
                "snippet": _search_snippet(v, now),
            }
            for v in found
        ]
        body = _list_response("youtube#searchListResponse", items)
        body["regionCode"] = params.get("regionCode", "US")
        return 200, body


def _full_path(path: str) -> str:
    return path if path.startswith("/") else f"/youtube/v3/{path}"


def _max_results(params: dict[str, str]) -> int:
    return int(params.get("maxResults", DEFAULT_MAX_RESULTS))


def _searchable_words(video: FixtureVideo) -> set[str]:
    text = " ".join([video.title, *video.tags, *video.about]).lower()
    return set(re.findall(r"\w+", text))


def _etag(*parts: str) -> str:
    return hashlib.sha1("/".join(parts).encode()).hexdigest()[:27]


def _published(video: FixtureVideo, now: datetime) -> str:
    return (now - timedelta(hours=video.hours_ago)).strftime("%Y-%m-%dT%H:%M:%SZ")


def _thumbnails(video_id: str) -> dict[str, object]:
    return {
        "default": {"url": f"https://i.ytimg.com/vi/{video_id}/default.jpg", "width": 120},
        "high": {"url": f"https://i.ytimg.com/vi/{video_id}/hqdefault.jpg", "width": 480},
    }


def _channel_id(video: FixtureVideo) -> str:
    return "UC" + hashlib.sha1(video.channel.encode()).hexdigest()[:22]


def _search_snippet(video: FixtureVideo, now: datetime) -> dict[str, object]:
    published = _published(video, now)
    return {
        "publishedAt": published,
        "channelId": _channel_id(video),
        "title": video.title,
        "description": f"{video.title} — on {video.channel}.",
        "thumbnails": _thumbnails(video.id),
        "channelTitle": video.channel,
        "liveBroadcastContent": "none",
        "publishTime": published,
    }


def _video_resource(video: FixtureVideo, parts: set[str], now: datetime) -> dict[str, object]:
    resource: dict[str, object] = {
        "kind": "youtube#video",
        "etag": _etag("video", video.id),
        "id": video.id,
    }
    if "snippet" in parts:
        snippet = _search_snippet(video, now)
        del snippet["publishTime"]
        snippet.update(
            tags=list(video.tags),
            categoryId=video.category_id,
            defaultAudioLanguage="en",
            localized={"title": video.title, "description": snippet["description"]},
        )
        resource["snippet"] = snippet
    if "statistics" in parts:
        # The API sends counts as strings.
        resource["statistics"] = {
            "viewCount": str(video.views),
            "likeCount": str(video.likes),
            "favoriteCount": "0",
            "commentCount": str(video.likes // 20),
        }
    return resource


def _list_response(kind: str, items: list[dict[str, object]]) -> dict[str, object]:
    return {
        "kind": kind,
        "etag": _etag(kind, *(str(i["etag"]) for i in items)),
        "items": items,
        "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)},
    }


def _error(status: int, reason: str, message: str | None = None) -> tuple[int, dict[str, object]]:
    domain, default = _REASON_MESSAGES.get(reason, ("global", f"HTTP {status}"))
    text = message or default
    return status, {
        "error": {
            "code": status,
            "message": text,
            "errors": [{"message": text, "domain": domain, "reason": reason}],
            "status": _STATUS_NAMES.get(status, "UNKNOWN"),
        }
    }


def _handler_for(server: YouTubeDataServer) -> type[QuietHandler]:
    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:
            url = urlsplit(self.path)
            params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            with server._lock:
                server.requests.append(
                    RecordedRequest(
                        "GET", url.path, params, {k: v for k, v in self.headers.items()}
                    )
                )
            scripted = server._next_scripted(url.path)
            if scripted is not None and scripted.delay_s:
                server._stopping.wait(scripted.delay_s)  # stop() releases it at once
            if scripted is not None and not scripted.then_serve:
                self._send(scripted.status, scripted.body, scripted.headers)
                return
            status, body = server.answer(url.path, params)
            self._send(status, json.dumps(body).encode(), {})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_body(status, body, headers, "application/json; charset=UTF-8")

    return Handler
