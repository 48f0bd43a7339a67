"""The analytics views, as SQLAlchemy queries over a time window.

Views are queries rather than ``CREATE VIEW``s because every one of them takes a window
(a p95 over the last 7 days is not a filter on an all-time p95) and because percentiles are
not portable SQL: here they are nearest-rank percentiles computed with window functions
(``row_number() over (partition by … order by …)``), which SQLite and PostgreSQL both run.
Aggregation happens in the database; Python only maps names (model → provider) and merges
the few groups that mapping joins. Error types are data: each failed row stores its kind
(``error_kind``, from ``ytempire.resilience.errors.kind_of`` when the stage failed; ``other``
for failures outside the provider vocabulary), and a completed row that fell back stores the
kind of the first engine passed over. Rows written before migration 0007 have no kind: the
views count them as ``unrecorded`` and never guess one from the message.

| view | from | grain |
|---|---|---|
| ``cost_per_video`` | ``ai_cost_breakdown`` ⟕ ``videos`` | video |
| ``api_cost_by_provider`` | ``ai_model_performance`` | UTC day × provider × service (operation) |
| ``fallback_rates`` | ``ai_pipeline_events`` (completed) | stage × primary model |
| ``failure_rates``, ``stage_failure_rates`` | ``ai_pipeline_events`` | stage × error type |
| ``run_failure_rate`` | ``ai_pipeline_events`` | the window |
| ``quality_trends`` | ``ai_pipeline_events`` | UTC day × stage × model |
| ``latency_p95`` | ``ai_model_performance`` | model × operation |
| ``stage_times`` | ``ai_pipeline_events`` (completed) | stage |
| ``model_usage`` | ``ai_model_performance`` | model × operation |

Every window is half-open, ``since <= time < until``, in UTC.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Integer, String, and_, case, func, literal, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from ytempire.analytics.store import AnalyticsStore, utc
from ytempire.analytics.tables import CostBreakdown, ModelPerformance, PipelineEvent, Video


@dataclass(frozen=True)
class Window:
    """A half-open span of time, ``since <= t < until``, in UTC."""

    since: datetime
    until: datetime

    @classmethod
    def last(cls, span: timedelta, now: datetime | None = None) -> Window:
        until = utc(now or datetime.now(UTC))
        return cls(until - span, until)

    def __post_init__(self) -> None:
        object.__setattr__(self, "since", utc(self.since))
        object.__setattr__(self, "until", utc(self.until))
        if self.until <= self.since:
            raise ValueError(f"window ends ({self.until}) before it starts ({self.since})")

    def where(self, column: Any) -> ColumnElement[bool]:
        return and_(column >= self.since, column < self.until)


class utc_day(FunctionElement[str]):
    """The UTC calendar day of a timestamp, as ``YYYY-MM-DD`` text, on any dialect."""

    type = String()
    inherit_cache = True


@compiles(utc_day)
def _utc_day(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    # SQLite stores the UTC wall time as text: its date() is the UTC day.
    return f"date({compiler.process(element.clauses, **kw)})"


@compiles(utc_day, "postgresql")
def _utc_day_pg(element: utc_day, compiler: SQLCompiler, **kw: Any) -> str:
    column = compiler.process(element.clauses, **kw)
    return f"to_char(timezone('UTC', {column}), 'YYYY-MM-DD')"


def _usd(value: Decimal | float | int | None, cents: bool = False) -> float:
    amount = Decimal(str(value or 0)) / (100 if cents else 1)
    return float(amount.quantize(Decimal("0.0001")))


def _mean(value: Decimal | float | None) -> float | None:
    return None if value is None else round(float(value), 4)


# --- names -----------------------------------------------------------------------------------

# A dated snapshot of a model family: "-0613", "-2024-08-06" (as in providers/catalog.py).
_SNAPSHOT = re.compile(r"^(?P<family>.+?)-(?:\d{4}-\d{2}-\d{2}|\d{4})$")

# Model name prefixes of the hosted providers; "engine:voice" names carry their provider.
PROVIDER_PREFIXES: list[tuple[str, str]] = [
    ("gpt-", "openai"),
    ("o1", "openai"),
    ("o3", "openai"),
    ("o4", "openai"),
    ("dall-e", "openai"),
    ("tts-", "openai"),
    ("whisper", "openai"),
    ("text-embedding", "openai"),
    ("eleven", "elevenlabs"),
    ("claude", "anthropic"),
    ("gemini", "google"),
    ("google", "google"),
    ("wavenet", "google"),
    ("neural2", "google"),
    ("pexels", "pexels"),
    ("youtube", "google"),
]
LOCAL_ENGINES = {
    "template",
    "piper",
    "kokoro",
    "espeak",
    "espeak-ng",
    "pillow",
    "ffmpeg",
    "outbox",
    "local",
}


def model_family(name: str) -> str:
    """``gpt-4-turbo-2024-04-09`` → ``gpt-4-turbo``: snapshots count as their family."""
    match = _SNAPSHOT.match(name)
    return match["family"] if match else name


def provider_of(model_name: str) -> str:
    """Who bills for ``model_name``: ``openai``, ``elevenlabs``, ``google``, …, ``local``.

    ``provider:model`` names say it themselves; otherwise the name's prefix decides, and a
    name no rule knows is ``other`` (a model on a self-hosted OpenAI-compatible server).
    """
    name = model_name.strip().lower()
    if ":" in name:
        head = name.split(":", 1)[0]
        return "local" if head in LOCAL_ENGINES else head
    for prefix, provider in PROVIDER_PREFIXES:
        if name.startswith(prefix):
            return provider
    if name.split("-", 1)[0] in LOCAL_ENGINES:
        return "local"
    return "other"


# The error type of a failed row written before migration 0007 stored kinds: its message is
# not read to guess one (a guess is not a record).
UNRECORDED = "unrecorded"


def error_type(kind: str | None) -> str:
    """The error type a row's stored ``error_kind`` stands for: the kind itself
    (``ytempire.resilience.errors.ErrorKind``, or ``other`` for failures outside the provider
    vocabulary), or ``unrecorded`` for rows written before kinds were stored."""
    return kind or UNRECORDED


_FALLBACK_ENTRY = re.compile(r"^\s*(?P<name>\S+?) (?:failed|skipped)\b")


def primary_of(model_used: str, error_message: str | None) -> tuple[str, str | None]:
    """(primary model, fallback model or None) of one completed stage.

    A completed stage's ``error_message`` lists the engines passed over before the one that
    produced it, ``"gpt-4-turbo failed: …; gpt-3.5-turbo skipped: …"`` (``tasks/fallback.py``).
    The first engine named was the primary; with none named, ``model_used`` was.
    """
    first = (error_message or "").split("; ", 1)[0]
    match = _FALLBACK_ENTRY.match(first)
    used = model_family(model_used)
    if not match:
        return used, None
    return model_family(match["name"]), used


# --- views -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VideoCost:
    video_id: str
    channel: str | None
    title: str | None
    script_usd: float
    voice_usd: float
    thumbnail_usd: float
    processing_usd: float
    total_usd: float
    timestamp: datetime


def cost_per_video(store: AnalyticsStore, window: Window) -> list[VideoCost]:
    """Each video's cost with its breakdown, most expensive first."""
    c = CostBreakdown
    query = (
        select(c, Video.channel, Video.title)
        .outerjoin(Video, Video.video_id == c.video_id)
        .where(window.where(c.timestamp))
        .order_by(c.total_cost.desc(), c.video_id)
    )
    with store.session() as s:
        return [
            VideoCost(
                video_id=row.video_id.hex,
                channel=channel,
                title=title,
                script_usd=_usd(row.script_cost),
                voice_usd=_usd(row.voice_cost),
                thumbnail_usd=_usd(row.thumbnail_cost),
                processing_usd=_usd(row.processing_cost),
                total_usd=_usd(row.total_cost),
                timestamp=utc(row.timestamp),
            )
            for row, channel, title in s.execute(query)
        ]


@dataclass(frozen=True)
class ProviderDayCost:
    day: str
    provider: str
    service: str
    calls: int
    tokens: int
    cost_usd: float


def api_cost_by_provider(store: AnalyticsStore, window: Window) -> list[ProviderDayCost]:
    """API spend per UTC day, provider and service (the call's operation)."""
    m = ModelPerformance
    day = utc_day(m.timestamp).label("day")
    query = (
        select(
            day,
            m.model_name,
            m.operation,
            func.count(),
            func.sum(m.tokens_used),
            func.sum(m.cost_cents),
        )
        .where(window.where(m.timestamp))
        .group_by(day, m.model_name, m.operation)
    )
    merged: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    with store.session() as s:
        for d, model, operation, calls, tokens, cents in s.execute(query):
            sums = merged[(str(d), provider_of(model), operation)]
            sums[0] += calls
            sums[1] += int(tokens or 0)
            sums[2] += int(cents or 0)
    return [
        ProviderDayCost(d, provider, service, calls, tokens, _usd(cents, cents=True))
        for (d, provider, service), (calls, tokens, cents) in sorted(merged.items())
    ]


@dataclass(frozen=True)
class FallbackRate:
    """How often a stage's primary engine was passed over, and for what."""

    stage: str
    primary_model: str
    events: int
    fallbacks: int
    fallback_models: dict[str, int] = field(default_factory=dict)
    # Why the primary was passed over: the stored error kind of each fallback.
    fallback_kinds: dict[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.fallbacks / self.events if self.events else 0.0


def fallback_rates(store: AnalyticsStore, window: Window) -> list[FallbackRate]:
    """Fallback rate by primary model, over the completed stages of the window.

    The primary of a completed stage is the first engine its fallbacks name, or the engine
    that produced it when none is named (``primary_of``). Its fallback rate is the share of
    its completed stages that another engine produced. Failed stages are not counted here:
    they are failures (``failure_rates``), whatever was tried.
    """
    e = PipelineEvent
    base = and_(window.where(e.started_at), e.status == "completed", e.model_used.is_not(None))
    plain = (
        select(e.stage, e.model_used, func.count())
        .where(base, e.error_message.is_(None))
        .group_by(e.stage, e.model_used)
    )
    noted = select(e.stage, e.model_used, e.error_message, e.error_kind).where(
        base, e.error_message.is_not(None)
    )
    events: dict[tuple[str, str], int] = defaultdict(int)
    used: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    why: dict[tuple[str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    with store.session() as s:
        for stage, model, count in s.execute(plain):
            events[(stage, model_family(model or ""))] += count
        for stage, model, message, kind in s.execute(noted):
            primary, fallback = primary_of(model or "", message)
            events[(stage, primary)] += 1
            if fallback:
                used[(stage, primary)][fallback] += 1
                why[(stage, primary)][error_type(kind)] += 1
    return [
        FallbackRate(
            stage=stage,
            primary_model=primary,
            events=count,
            fallbacks=sum(used[(stage, primary)].values()),
            fallback_models=dict(sorted(used[(stage, primary)].items())),
            fallback_kinds=dict(sorted(why[(stage, primary)].items())),
        )
        for (stage, primary), count in sorted(events.items())
    ]


@dataclass(frozen=True)
class FailureRate:
    """Failed attempts of a stage with one error type, over all the stage's attempts."""

    stage: str
    error_type: str
    attempts: int
    failures: int

    @property
    def rate(self) -> float:
        return self.failures / self.attempts if self.attempts else 0.0


def stage_failure_rates(store: AnalyticsStore, window: Window) -> list[FailureRate]:
    """Every stage seen in the window, all error types together (``error_type="all"``)."""
    e = PipelineEvent
    failed = func.sum(case((e.status == "failed", 1), else_=0))
    query = (
        select(e.stage, func.count(), failed)
        .where(window.where(e.started_at))
        .group_by(e.stage)
        .order_by(e.stage)
    )
    with store.session() as s:
        return [
            FailureRate(stage, "all", attempts, int(failures or 0))
            for stage, attempts, failures in s.execute(query)
        ]


def failure_rates(store: AnalyticsStore, window: Window) -> list[FailureRate]:
    """Failure rate by stage and error type (the stored kind: ``error_type``): types that
    occurred only."""
    attempts = {r.stage: r.attempts for r in stage_failure_rates(store, window)}
    e = PipelineEvent
    query = (
        select(e.stage, e.error_kind, func.count())
        .where(window.where(e.started_at), e.status == "failed")
        .group_by(e.stage, e.error_kind)
    )
    failures: dict[tuple[str, str], int] = defaultdict(int)
    with store.session() as s:
        for stage, kind, count in s.execute(query):
            failures[(stage, error_type(kind))] += count
    return [
        FailureRate(stage, error_type, attempts[stage], count)
        for (stage, error_type), count in sorted(failures.items())
    ]


@dataclass(frozen=True)
class RunFailureRate:
    runs: int
    failed: int

    @property
    def rate(self) -> float:
        return self.failed / self.runs if self.runs else 0.0


def run_failure_rate(store: AnalyticsStore, window: Window) -> RunFailureRate:
    """Pipeline runs with an event in the window whose latest event is a failure."""
    e = PipelineEvent
    newest = (
        func.row_number()
        .over(partition_by=e.pipeline_run_id, order_by=(e.started_at.desc(), e.completed_at.desc()))
        .label("newest")
    )
    last = select(e.status, newest).where(window.where(e.started_at)).subquery()
    query = select(func.count(), func.sum(case((last.c.status == "failed", 1), else_=0))).where(
        last.c.newest == 1
    )
    with store.session() as s:
        runs, failed = s.execute(query).one()
    return RunFailureRate(int(runs or 0), int(failed or 0))


@dataclass(frozen=True)
class QualityPoint:
    day: str
    stage: str
    model: str
    events: int
    mean: float
    lowest: float


def quality_trends(
    store: AnalyticsStore, window: Window, by_day: bool = True
) -> list[QualityPoint]:
    """Mean and lowest quality score per UTC day (or the whole window: ``day="all"``), stage
    and model, over the stages that have a score."""
    e = PipelineEvent
    day = (utc_day(e.started_at) if by_day else literal("all", String())).label("day")
    query = (
        select(
            day,
            e.stage,
            e.model_used,
            func.count(e.quality_score),
            func.avg(e.quality_score),
            func.min(e.quality_score),
        )
        .where(window.where(e.started_at), e.quality_score.is_not(None))
        .group_by(*([day] if by_day else []), e.stage, e.model_used)
        .order_by(*([day] if by_day else []), e.stage, e.model_used)
    )
    with store.session() as s:
        return [
            QualityPoint(str(d), stage, model or "", n, _mean(mean) or 0.0, _mean(low) or 0.0)
            for d, stage, model, n, mean, low in s.execute(query)
        ]


@dataclass(frozen=True)
class Percentiles:
    """Nearest-rank percentiles of a duration in milliseconds, per group."""

    key: tuple[str, ...]
    count: int
    mean_ms: float
    p50_ms: int
    p95_ms: int
    max_ms: int
    total_ms: int


def _percentiles(
    value: Any, keys: Sequence[Any], where: ColumnElement[bool]
) -> Any:  # a Select of (keys…, count, mean, p50, p95, max, total)
    n = func.count().over(partition_by=keys).label("n")
    rank = func.row_number().over(partition_by=keys, order_by=value).label("rank")
    ranked = select(*keys, value.label("v"), rank, n).where(where).subquery()
    columns = [ranked.c[k.key] for k in keys]

    def at(percent: int) -> Any:
        # The nearest-rank percentile: the smallest value whose rank is >= percent% of n.
        return func.min(case((ranked.c.rank * 100 >= ranked.c.n * percent, ranked.c.v)))

    return (
        select(
            *columns,
            func.count(),
            func.avg(ranked.c.v),
            at(50),
            at(95),
            func.max(ranked.c.v),
            func.sum(ranked.c.v),
        )
        .group_by(*columns)
        .order_by(*columns)
    )


def _run_percentiles(store: AnalyticsStore, query: Any, width: int) -> list[Percentiles]:
    with store.session() as s:
        return [
            Percentiles(
                key=tuple(row[:width]),
                count=row[width],
                mean_ms=round(float(row[width + 1]), 1),
                p50_ms=int(row[width + 2]),
                p95_ms=int(row[width + 3]),
                max_ms=int(row[width + 4]),
                total_ms=int(row[width + 5]),
            )
            for row in s.execute(query)
        ]


def latency_p95(store: AnalyticsStore, window: Window) -> list[Percentiles]:
    """p95 (and p50, mean, max) latency per model and operation; key = (model, operation)."""
    m = ModelPerformance
    query = _percentiles(m.latency_ms, [m.model_name, m.operation], window.where(m.timestamp))
    return _run_percentiles(store, query, 2)


def stage_times(store: AnalyticsStore, window: Window) -> list[Percentiles]:
    """Duration percentiles and total time of each stage's completed runs; key = (stage,)."""
    e = PipelineEvent
    where = and_(window.where(e.started_at), e.status == "completed")
    return _run_percentiles(store, _percentiles(e.duration_ms, [e.stage], where), 1)


@dataclass(frozen=True)
class ModelUsage:
    model: str
    operation: str
    calls: int
    tokens: int
    cost_usd: float
    cache_hits: int
    mean_latency_ms: float
    mean_quality: float | None

    @property
    def cache_hit_rate(self) -> float:
        return self.cache_hits / self.calls if self.calls else 0.0

    @property
    def cost_per_call_usd(self) -> float:
        return self.cost_usd / self.calls if self.calls else 0.0


def model_usage(store: AnalyticsStore, window: Window) -> list[ModelUsage]:
    """Calls, tokens, cost, cache hits, latency and quality per model and operation."""
    m = ModelPerformance
    query = (
        select(
            m.model_name,
            m.operation,
            func.count(),
            func.sum(m.tokens_used),
            func.sum(m.cost_cents),
            func.sum(case((m.cache_hit, 1), else_=0).cast(Integer)),
            func.avg(m.latency_ms),
            func.avg(m.quality_score),
        )
        .where(window.where(m.timestamp))
        .group_by(m.model_name, m.operation)
        .order_by(func.count().desc(), m.model_name, m.operation)
    )
    with store.session() as s:
        return [
            ModelUsage(
                model=model,
                operation=operation,
                calls=calls,
                tokens=int(tokens or 0),
                cost_usd=_usd(cents, cents=True),
                cache_hits=int(hits or 0),
                mean_latency_ms=round(float(latency), 1),
                mean_quality=_mean(quality),
            )
            for model, operation, calls, tokens, cents, hits, latency, quality in s.execute(query)
        ]
