"""Trends from the YouTube Data API v3: what is most popular now, and what is rising in a niche.

The one module that talks to ``googleapiclient``. Calls per :meth:`YouTubeTrendSource.detect`
and their cost in quota units (a project has 10,000 a day by default, shared with uploads):

* ``videos.list(chart=mostPopular)`` for the region (and category): 1 unit;
* with a niche, ``search.list(q=niche, order=viewCount, last 7 days)``: 100 units, then
  ``videos.list(id=...)`` for those videos' statistics: 1 unit.

So a run costs 1 unit without a niche and 102 with one.

Where and in which language: ``regionCode`` is the channel's region (its own ``region``, else
its language's: ``es-MX`` → MX, else the ``youtube_region`` setting: :func:`region_for`);
the niche search asks for videos in the channel's language (``relevanceLanguage``) and the
chart's titles come localised to it (``hl``), so the topics' words are in that language.

Videos become topics by their key phrases: the words of titles and tags, lower-cased, stop
words and format boilerplate ("official", "trailer", "4k") dropped, taken as phrases of one
to three words. Each video joins the group of its most widely shared phrase (on ties: a
creator's tag, then the longer phrase, then the more viewed, then the alphabetically first,
so videos that share phrases choose alike); a video left alone in its group is named by its
own most specific tag instead. Each group is one candidate topic:

* volume: the group's views;
* velocity: the group's views per hour, each video's views over the hours since it was
  published;
* growth, estimated: the API gives no history, so a group gaining views faster than the
  median of its peers is taken to be growing by that ratio (``velocity / median - 1``).
  Peers are the other niche topics for a niche topic and the other general topics for the
  rest, so a niche topic is not called shrinking because a pop hit outsells it;
* the velocity passed to scoring is the share of its views the group gains per week at
  that rate, capped at 1: it rewards views that came recently;
* relevance: full for videos the niche search found or whose words name the niche, the
  off-niche weight otherwise.

Everything is computed from the answers alone, in a fixed order, so the same answers give
the same report.

Failures come out in the project's error vocabulary (provider ``"youtube"``), translated
by ``ytempire.providers.google_api`` (quota, rate limits, 5xx, timeouts, other refusals);
an answer that is not the JSON the API documents is :class:`InvalidOutput`.

The API key travels as the ``key=`` query parameter, so the client's own ``HttpError``
prints it inside the request URI; messages are built without it (see ``google_api``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ytempire.language import language
from ytempire.models import TrendReport
from ytempire.providers import google_api
from ytempire.resilience.errors import InvalidOutput
from ytempire.trends.source import Signals, content_words, niche_relevance, rank

PROVIDER = "youtube"
ENGINE = "youtube-data-api"
SEARCH_WINDOW = timedelta(days=7)
MAX_RESULTS_LIMIT = 50  # the API's own ceiling for one page
MAX_PHRASE_WORDS = 3
RELATED_PHRASES = 5
# A video minutes old would otherwise get an absurd views-per-hour rate.
MIN_AGE_HOURS = 1.0
HOURS_PER_WEEK = 24 * 7

# Words in titles that name a video's format or hype it, not its subject.
BOILERPLATE = frozenset(
    """
    official video videos music audio lyric lyrics visualizer hd 4k 8k full episode ep part
    new shorts short live ft feat vs trailer teaser clip highlights reaction react reacts
    best top first ever every day today week year time get got make made one two like
    really much many way thing things now watch try tried vlog update
    """.split()
)

M = TypeVar("M", bound=BaseModel)


# The response models keep the API's camelCase field names, so they validate its JSON as is.
class _Snippet(BaseModel):
    title: str
    publishedAt: datetime
    tags: list[str] = []
    categoryId: str = ""


class _Statistics(BaseModel):
    # Absent where the owner hides it; such a video is left out, not guessed.
    viewCount: int | None = None


class Video(BaseModel):
    """The part of the API's video resource that scoring reads."""

    id: str
    snippet: _Snippet
    statistics: _Statistics


class _VideoList(BaseModel):
    items: list[Video]


class _SearchId(BaseModel):
    videoId: str | None = None


class _SearchResult(BaseModel):
    id: _SearchId


class _SearchList(BaseModel):
    items: list[_SearchResult]


@dataclass(frozen=True)
class _Seen:
    """One video as grouping and scoring see it."""

    video: Video
    views: int
    views_per_hour: float
    phrases: tuple[str, ...]
    tags: frozenset[str]
    in_niche_search: bool


def _subject_words(text: str) -> list[str]:
    return [
        w for w in content_words(text) if len(w) > 1 and not w.isdigit() and w not in BOILERPLATE
    ]


def tag_phrases(tags: Sequence[str]) -> list[str]:
    """The video's tags as phrases of one to three subject words (longer tags are dropped)."""
    phrases = (" ".join(_subject_words(tag.lstrip("#"))) for tag in tags)
    return list(dict.fromkeys(p for p in phrases if 0 < len(p.split()) <= MAX_PHRASE_WORDS))


def key_phrases(title: str, tags: Sequence[str] = ()) -> list[str]:
    """The video's candidate phrases, in order: title n-grams (1 to 3 words), then tags.

    Words are lower-cased with stop words, boilerplate, numbers and single letters dropped;
    n-grams run over what remains, so "Cost of Living Crisis" gives "cost living crisis".
    """
    words = _subject_words(title)
    phrases = [
        " ".join(words[i : i + n])
        for n in range(1, MAX_PHRASE_WORDS + 1)
        for i in range(len(words) - n + 1)
    ]
    return list(dict.fromkeys([*phrases, *tag_phrases(tags)]))


def topics_from_videos(
    videos: Iterable[Video],
    niche: str | None,
    *,
    now: datetime,
    niche_ids: frozenset[str] = frozenset(),
) -> list[Signals]:
    """Group videos by key phrase and measure each group (see the module docstring).

    ``niche_ids`` are the videos the niche search returned: relevant by YouTube's judgement.
    Videos without a view count or a usable title are left out.
    """
    seen: list[_Seen] = []
    for video in videos:
        phrases = key_phrases(video.snippet.title, video.snippet.tags)
        views = video.statistics.viewCount
        if views is None or not phrases:
            continue
        published = video.snippet.publishedAt
        if published.tzinfo is None:
            published = published.replace(tzinfo=UTC)
        hours = max((now - published).total_seconds() / 3600, MIN_AGE_HOURS)
        tags = frozenset(tag_phrases(video.snippet.tags))
        seen.append(_Seen(video, views, views / hours, tuple(phrases), tags, video.id in niche_ids))

    shared = Counter(p for item in seen for p in item.phrases)
    tagged = {p for item in seen for p in item.tags}
    reach = Counter[str]()
    for item in seen:
        reach.update(dict.fromkeys(item.phrases, item.views))

    def widest(phrase: str) -> tuple[int, bool, int, int, str]:
        # Shared by most videos, then a creator's own tag, then the most specific, then the
        # most viewed; the phrase itself last, so videos sharing phrases choose alike.
        return (-shared[phrase], phrase not in tagged, -len(phrase.split()), -reach[phrase], phrase)

    groups: dict[str, list[_Seen]] = {}
    for item in seen:
        groups.setdefault(min(item.phrases, key=widest), []).append(item)
    # A video the shared phrase left alone is better named by its own most specific label
    # ("james webb telescope", not the "space" it shares with a video grouped elsewhere).
    for keyword, members in list(groups.items()):
        if len(members) == 1:
            item = members[0]
            own = min(item.phrases, key=lambda p: (p not in item.tags, -len(p.split())))
            if own != keyword:
                del groups[keyword]
                groups.setdefault(own, []).append(item)

    measured = []
    for keyword, members in groups.items():
        related = _related(keyword, members, shared)
        texts = [keyword, *related]
        texts += [t for i in members for t in (i.video.snippet.title, *i.video.snippet.tags)]
        in_search = any(i.in_niche_search for i in members)
        relevance = 1.0 if in_search else niche_relevance(niche, texts=texts)
        rate = sum(i.views_per_hour for i in members)
        measured.append((keyword, related, relevance, rate, sum(i.views for i in members)))

    # Growth is judged among peers (see the module docstring).
    medians = {
        relevance: statistics.median(m[3] for m in measured if m[2] == relevance)
        for relevance in {m[2] for m in measured}
    }
    return [
        Signals(
            keyword=keyword,
            growth=rate / medians[relevance] - 1 if medians[relevance] > 0 else 0.0,
            velocity=min(rate * HOURS_PER_WEEK / volume, 1.0) if volume > 0 else 0.0,
            volume=float(volume),
            relevance=relevance,
            related=related,
        )
        for keyword, related, relevance, rate, volume in measured
    ]


def _related(keyword: str, members: Sequence[_Seen], shared: Counter[str]) -> list[str]:
    """The group's tags and shared phrases, most shared first, without ``keyword``'s parts."""
    own = set(keyword.split())
    phrases = dict.fromkeys(p for i in members for p in i.phrases if p in i.tags or shared[p] > 1)
    useful = [p for p in phrases if not set(p.split()) <= own]
    useful.sort(key=lambda p: -shared[p])  # stable: equal counts keep first-seen order
    return useful[:RELATED_PHRASES]


def region_for(tag: str, region: str | None, default: str) -> str:
    """YouTube's ``regionCode`` for a channel: its own ``region``, else its language's region
    (``pt-BR`` → BR), else ``default``."""
    return region or language(tag).region or default


class YouTubeTrendSource:
    """Trend engine over the YouTube Data API v3 with an API key (no OAuth needed).

    ``api_endpoint`` replaces the API's root URL (``https://youtube.googleapis.com/``): give a
    root such as ``http://127.0.0.1:8080/``; the client appends ``youtube/v3/videos``. Each
    ``detect`` builds its own client and connection, so one source may serve many threads.
    """

    name = ENGINE

    def __init__(
        self,
        api_key: str,
        *,
        region: str = "US",
        language_code: str = "en",
        category_id: str | None = None,
        max_results: int = 25,
        api_endpoint: str | None = None,
        timeout_s: float = 10,
    ) -> None:
        if not api_key:
            raise ValueError("api_key must not be empty")
        if not 1 <= max_results <= MAX_RESULTS_LIMIT:
            raise ValueError(f"max_results must be 1 to {MAX_RESULTS_LIMIT}, got {max_results}")
        if timeout_s <= 0:
            raise ValueError(f"timeout_s must be positive, got {timeout_s}")
        self._api_key = api_key
        self.region = region
        self.language_code = language_code
        self.category_id = category_id
        self.max_results = max_results
        self.api_endpoint = api_endpoint
        self.timeout_s = timeout_s

    def __repr__(self) -> str:
        return (
            f"YouTubeTrendSource(region={self.region!r}, language_code={self.language_code!r}, "
            f"category_id={self.category_id!r})"
        )

    def detect(self, niche: str | None) -> TrendReport:
        """Topics from the region's most popular videos, plus the niche's top videos of the
        last week when ``niche`` is given; best first. Raises a ``ProviderError`` on failure.
        """
        niche = niche.strip() if niche and niche.strip() else None
        service = self._service()
        popular = self._videos(
            "videos.list mostPopular",
            service.videos().list(
                part="snippet,statistics",
                chart="mostPopular",
                regionCode=self.region,
                hl=self.language_code,
                videoCategoryId=self.category_id,
                maxResults=self.max_results,
            ),
        )
        found: list[Video] = []
        niche_ids: tuple[str, ...] = ()
        if niche:
            niche_ids = self._search(service, niche)
            known = {v.id for v in popular}
            missing = [i for i in niche_ids if i not in known]
            if missing:
                # search.list carries no statistics; maxResults is not allowed with id.
                found = self._videos(
                    "videos.list id",
                    service.videos().list(part="snippet,statistics", id=",".join(missing)),
                )
        topics = rank(
            topics_from_videos(
                [*popular, *found],
                niche,
                now=datetime.now(UTC),
                niche_ids=frozenset(niche_ids),
            )
        )
        return TrendReport(engine=ENGINE, topics=topics)

    def _search(self, service: Any, niche: str) -> tuple[str, ...]:
        """Ids of the niche's most viewed videos published in the last week, most viewed first."""
        after = datetime.now(UTC).replace(microsecond=0) - SEARCH_WINDOW
        answer = self._execute(
            "search.list",
            service.search().list(
                part="snippet",
                q=niche,
                type="video",
                order="viewCount",
                publishedAfter=after.isoformat().replace("+00:00", "Z"),
                regionCode=self.region,
                relevanceLanguage=self.language_code,
                maxResults=self.max_results,
            ),
        )
        results = self._parse("search.list", _SearchList, answer)
        return tuple(dict.fromkeys(r.id.videoId for r in results.items if r.id.videoId))

    def _service(self) -> Any:
        return google_api.service(
            "youtube",
            "v3",
            api_endpoint=self.api_endpoint,
            timeout_s=self.timeout_s,
            developer_key=self._api_key,
        )

    def _videos(self, call: str, request: Any) -> list[Video]:
        return self._parse(call, _VideoList, self._execute(call, request)).items

    def _parse(self, call: str, model: type[M], answer: object) -> M:
        try:
            return model.model_validate(answer)
        except ValidationError as exc:
            # The client hands back the raw text when the body is not JSON.
            what = "not a JSON object" if isinstance(answer, str) else _first_error(exc)
            raise InvalidOutput(PROVIDER, f"{call}: unexpected answer: {what}") from None

    def _execute(self, call: str, request: Any) -> object:
        """The request's decoded JSON body, or the matching ``ProviderError``."""
        with google_api.translated(
            PROVIDER, call, timeout_s=self.timeout_s, secrets=[self._api_key]
        ):
            return request.execute(num_retries=0)


def _first_error(exc: ValidationError) -> str:
    # The first error's place and message; pydantic's own first line only counts errors.
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]
