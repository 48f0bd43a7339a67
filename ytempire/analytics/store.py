"""The analytics store: the one module that opens database sessions.

SQLite in the workspace by default, PostgreSQL (or anything SQLAlchemy speaks) by URL. The
schema is migrated to the newest Alembic revision on first use of a URL in a process
(``ytempire.analytics.schema``). Every time written is UTC.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    CursorResult,
    Engine,
    Table,
    and_,
    create_engine,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from ytempire.analytics import schema
from ytempire.analytics.money import micro_usd, usd_of
from ytempire.analytics.tables import (
    CircuitBreaker,
    CostBreakdown,
    MetricSample,
    ModelPerformance,
    PipelineEvent,
    QualityResult,
    Video,
    VideoPerformance,
)
from ytempire.models import QualityCheck, Stage, StageRecord

# The metric sample name under which alerts raised by stages are kept (``record_alert``).
ALERT_SAMPLE = "alert_raised"

COST_GROUPS: dict[str, set[Stage]] = {
    "script_cost": {Stage.trends, Stage.topic, Stage.script},
    "voice_cost": {Stage.voice},
    "thumbnail_cost": {Stage.thumbnails},
}


def _cents(usd: float) -> int:
    return int((Decimal(str(usd)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _score(value: float | None) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no zone; everything we write is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def utc(moment: datetime) -> datetime:
    """``moment`` in UTC (a naive time is taken to be UTC already)."""
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def labels_key(labels: Mapping[str, str]) -> str:
    """A label set as the canonical JSON ``ai_metric_samples.labels`` holds."""
    return json.dumps({k: str(v) for k, v in labels.items()}, sort_keys=True)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # The timeout first, so even switching to WAL waits for a busy database instead of failing.
    # WAL lets readers and one writer work at once; the timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process, its database migrated to the newest revision."""
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            # The default store lives in the workspace, which a first run has not made yet.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    schema.upgrade(engine)
    return engine


class AnalyticsStore:
    """Writes and reads the pipeline's records."""

    def __init__(self, url: str) -> None:
        self.engine = engine_for(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    def record_stage(self, run_id: uuid.UUID, record: StageRecord) -> None:
        """Add one ``ai_pipeline_events`` row for a finished (or failed) stage."""
        with self.session() as s:
            s.add(
                PipelineEvent(
                    pipeline_run_id=run_id,
                    stage=record.stage.value,
                    status=record.status,
                    started_at=utc(record.started_at),
                    completed_at=utc(record.completed_at),
                    duration_ms=record.duration_ms,
                    model_used=record.engine,
                    cost_cents=_cents(record.cost_usd),
                    cost_micro_usd=micro_usd(record.cost_usd),
                    quality_score=_score(record.quality_score),
                    error_message=record.error,
                    error_kind=record.error_kind,
                )
            )

    def record_model_call(
        self,
        model_name: str,
        operation: str,
        *,
        latency_ms: int,
        tokens_used: int,
        cost_usd: float,
        quality_score: float | None = None,
        cache_hit: bool = False,
        timestamp: datetime | None = None,
    ) -> None:
        """Add one ``ai_model_performance`` row for a call to a model (made now, by default)."""
        with self.session() as s:
            s.add(
                ModelPerformance(
                    model_name=model_name,
                    operation=operation,
                    timestamp=utc(timestamp or datetime.now(UTC)),
                    latency_ms=latency_ms,
                    tokens_used=tokens_used,
                    cost_cents=_cents(cost_usd),
                    quality_score=_score(quality_score),
                    cache_hit=cache_hit,
                )
            )

    def model_calls(self, operation: str | None = None) -> list[ModelPerformance]:
        with self.session() as s:
            query = select(ModelPerformance).order_by(ModelPerformance.id)
            if operation:
                query = query.where(ModelPerformance.operation == operation)
            return list(s.scalars(query))

    def events(self, run_id: uuid.UUID) -> list[PipelineEvent]:
        """The run's ``ai_pipeline_events`` rows, in the order the stages started."""
        with self.session() as s:
            query = select(PipelineEvent).where(PipelineEvent.pipeline_run_id == run_id)
            return list(s.scalars(query.order_by(PipelineEvent.started_at)))

    def stage_records(self, run_id: uuid.UUID) -> list[StageRecord]:
        """The run's stages as the pipeline reported them (cost back in dollars: exact, or
        from the seed's cents on rows older than migration 0008)."""
        return [
            StageRecord(
                stage=Stage(e.stage),
                status=e.status,
                engine=e.model_used,
                started_at=_aware(e.started_at),
                completed_at=_aware(e.completed_at),
                cost_usd=e.cost_cents / 100
                if e.cost_micro_usd is None
                else float(usd_of(e.cost_micro_usd)),
                quality_score=None if e.quality_score is None else float(e.quality_score),
                error=e.error_message,
                error_kind=e.error_kind,
            )
            for e in self.events(run_id)
        ]

    def record_costs(
        self, video_id: str, costs: Mapping[Stage, float], timestamp: datetime | None = None
    ) -> CostBreakdown:
        """Write (or replace) the video's ``ai_cost_breakdown`` row from per-stage costs.

        Stages outside the seed's script/voice/thumbnail groups count as processing.
        """
        sums = {column: Decimal(0) for column in COST_GROUPS}
        processing = Decimal(0)
        for stage, usd in costs.items():
            cost = Decimal(str(usd))
            column = next((c for c, group in COST_GROUPS.items() if stage in group), None)
            if column:
                sums[column] += cost
            else:
                processing += cost
        row = CostBreakdown(
            video_id=uuid.UUID(video_id),
            processing_cost=processing,
            total_cost=sum(sums.values(), processing),
            timestamp=utc(timestamp or datetime.now(UTC)),
            **sums,
        )
        with self.session() as s:
            s.merge(row)
        return row

    def cost_breakdown(self, video_id: str) -> CostBreakdown | None:
        with self.session() as s:
            return s.get(CostBreakdown, uuid.UUID(video_id))

    def record_video(
        self,
        video_id: str,
        channel: str,
        topic: str,
        title: str,
        destination: str,
        location: str,
        published_at: datetime | None = None,
        youtube_video_id: str | None = None,
    ) -> None:
        """Remember that a channel produced a video on ``topic`` (idempotent per video), and
        its YouTube id when it was uploaded there."""
        with self.session() as s:
            s.merge(
                Video(
                    video_id=uuid.UUID(video_id),
                    channel=channel,
                    topic=topic,
                    title=title,
                    destination=destination,
                    location=location,
                    published_at=utc(published_at or datetime.now(UTC)),
                    youtube_video_id=youtube_video_id,
                )
            )

    def produced_topics(self, channel: str) -> set[str]:
        """Lower-cased topics the channel already has videos on."""
        with self.session() as s:
            rows = s.scalars(select(Video.topic).where(Video.channel == channel))
            return {topic.lower() for topic in rows}

    def record_samples(self, samples: Iterable[Mapping[str, Any]]) -> int:
        """Store metric observations in one transaction; an id already stored is skipped.

        Each sample has ``id`` (a UUID or its hex), ``name``, ``labels`` (a mapping),
        ``value`` and ``timestamp`` (a datetime or ISO string). Returns how many were new.
        """
        rows = [
            {
                "sample_id": uuid.UUID(str(s["id"])),
                "name": s["name"],
                "labels": labels_key(s["labels"]),
                "value": float(s["value"]),
                "timestamp": utc(
                    s["timestamp"]
                    if isinstance(s["timestamp"], datetime)
                    else datetime.fromisoformat(s["timestamp"])
                ),
            }
            for s in samples
        ]
        if not rows:
            return 0
        rows = list({row["sample_id"]: row for row in rows}.values())
        dialect = self.engine.dialect.name
        with self.session() as s:
            if dialect in ("postgresql", "sqlite"):
                upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                statement = (
                    upsert(MetricSample)
                    .on_conflict_do_nothing(index_elements=["sample_id"])
                    .returning(MetricSample.sample_id)
                )
                return len(s.execute(statement, rows).all())
            # Elsewhere: skip the ids already there (a concurrent duplicate raises).
            ids = [row["sample_id"] for row in rows]
            known = set(
                s.scalars(select(MetricSample.sample_id).where(MetricSample.sample_id.in_(ids)))
            )
            new = [row for row in rows if row["sample_id"] not in known]
            if new:
                s.execute(insert(MetricSample), new)
            return len(new)

    def samples(self, name: str | None = None) -> list[MetricSample]:
        """Stored metric observations, oldest first (``name`` filters)."""
        with self.session() as s:
            query = select(MetricSample).order_by(MetricSample.timestamp)
            if name:
                query = query.where(MetricSample.name == name)
            return list(s.scalars(query))

    def breaker(self, provider: str) -> CircuitBreaker | None:
        """The provider's circuit breaker row, if it ever failed."""
        with self.session() as s:
            return s.get(CircuitBreaker, provider)

    def record_breaker_failure(
        self, provider: str, threshold: int, now: datetime | None = None
    ) -> CircuitBreaker:
        """Count one failure (atomically, across processes); open the breaker at ``threshold``."""
        now = utc(now or datetime.now(UTC))
        with self.session() as s:
            self._ensure_breaker(s, provider, now)
            s.execute(
                update(CircuitBreaker)
                .where(CircuitBreaker.provider == provider)
                .values(failures=CircuitBreaker.failures + 1, updated_at=now)
            )
            row = s.execute(
                select(CircuitBreaker).where(CircuitBreaker.provider == provider)
            ).scalar_one()
            s.refresh(row)
            if row.failures >= threshold and row.state != "open":
                row.state, row.opened_at = "open", now
            return row

    def set_breaker_state(self, provider: str, state: str, now: datetime | None = None) -> None:
        """Move the breaker to ``closed`` (failures reset), ``open`` or ``half_open``."""
        if state not in ("closed", "open", "half_open"):
            raise ValueError(f"breaker state must be closed, open or half_open; got {state!r}")
        now = utc(now or datetime.now(UTC))
        values: dict[str, Any] = {"state": state, "updated_at": now}
        if state == "closed":
            values |= {"failures": 0, "opened_at": None}
        elif state == "open":
            values["opened_at"] = now
        with self.session() as s:
            self._ensure_breaker(s, provider, now)
            s.execute(
                update(CircuitBreaker).where(CircuitBreaker.provider == provider).values(values)
            )

    def _ensure_breaker(self, s: Session, provider: str, now: datetime) -> None:
        row = {"provider": provider, "state": "closed", "failures": 0, "updated_at": now}
        dialect = self.engine.dialect.name
        if dialect in ("postgresql", "sqlite"):
            upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
            s.execute(upsert(CircuitBreaker).values(row).on_conflict_do_nothing())
        elif s.get(CircuitBreaker, provider) is None:
            s.add(CircuitBreaker(**row))
            s.flush()

    def claim_breaker_trial(self, provider: str, due_before: datetime, now: datetime) -> bool:
        """Move an open breaker to ``half_open`` for one trial call; True for the one caller
        (across processes) that got it.

        Due: open since ``due_before`` or earlier, or half-open with a trial claimed that long
        ago (its caller died without reporting). One conditional ``UPDATE``, so of concurrent
        callers exactly one sees its row changed.
        """
        due_before, now = utc(due_before), utc(now)
        b = CircuitBreaker
        due = or_(
            and_(b.state == "open", b.opened_at <= due_before),
            and_(b.state == "half_open", b.updated_at <= due_before),
        )
        with self.session() as s:
            claimed = s.connection().execute(
                update(b)
                .where(b.provider == provider, due)
                .values(state="half_open", updated_at=now)
            )
            return claimed.rowcount == 1

    def close_breaker(self, provider: str, now: datetime | None = None) -> bool:
        """Close the breaker and forget its failures (a call succeeded); True if it changed.

        Writes only when there is something to forget, so successes cost one cheap statement.
        """
        b = CircuitBreaker
        with self.session() as s:
            changed = s.connection().execute(
                update(b)
                .where(b.provider == provider, or_(b.state != "closed", b.failures != 0))
                .values(
                    state="closed",
                    failures=0,
                    opened_at=None,
                    updated_at=utc(now or datetime.now(UTC)),
                )
            )
            return changed.rowcount > 0

    def release_breaker_trial(self, provider: str, now: datetime | None = None) -> None:
        """Give a half-open breaker's trial back unused (the call failed for reasons of ours):
        it is open again, due at once, so the next caller makes the trial."""
        b = CircuitBreaker
        with self.session() as s:
            s.execute(
                update(b)
                .where(b.provider == provider, b.state == "half_open")
                .values(state="open", updated_at=utc(now or datetime.now(UTC)))
            )

    def record_alert(
        self,
        rule: str,
        subject: str,
        severity: str,
        value: float,
        now: datetime | None = None,
    ) -> None:
        """Keep an alert a stage raised as an ``alert_raised`` metric sample (labels: rule,
        subject, severity; value: the figure that fired it), beside the seed's metrics."""
        self.record_samples(
            [
                {
                    "id": uuid.uuid4(),
                    "name": ALERT_SAMPLE,
                    "labels": {"rule": rule, "subject": subject, "severity": severity},
                    "value": value,
                    "timestamp": utc(now or datetime.now(UTC)),
                }
            ]
        )

    def record_quality(
        self,
        video_id: str,
        run_id: uuid.UUID,
        checks: Iterable[QualityCheck],
        created_at: datetime | None = None,
    ) -> int:
        """Add one ``quality_results`` row per check of the video's run; returns how many."""
        at = utc(created_at or datetime.now(UTC))
        rows = [
            {
                "video_id": uuid.UUID(video_id),
                "pipeline_run_id": run_id,
                "item": c.item,
                "check": c.name,
                "observed": None if c.value is None else str(c.value),
                "expectation": c.expectation,
                "passed": c.passed,
                "gated": c.gated,
                # A skipped check keeps its reason where a failed one keeps what to do.
                "recommendation": c.recommendation or (c.skipped and f"skipped: {c.skipped}"),
                "created_at": at,
            }
            for c in checks
        ]
        if rows:
            with self.session() as s:
                s.execute(insert(QualityResult), rows)
        return len(rows)

    def quality_results(
        self, video_id: str, run_id: uuid.UUID | None = None
    ) -> list[QualityResult]:
        """The video's quality rows (of one run, given ``run_id``), in the order written."""
        with self.session() as s:
            query = select(QualityResult).where(QualityResult.video_id == uuid.UUID(video_id))
            if run_id is not None:
                query = query.where(QualityResult.pipeline_run_id == run_id)
            return list(s.scalars(query.order_by(QualityResult.id)))

    def youtube_videos(self) -> list[Video]:
        """The videos uploaded to YouTube (with their YouTube id), oldest first."""
        with self.session() as s:
            query = select(Video).where(Video.youtube_video_id.is_not(None))
            return list(s.scalars(query.order_by(Video.published_at)))

    def record_performance(
        self,
        video_id: str,
        youtube_video_id: str,
        days: Iterable[Mapping[str, Any]],
        fetched_at: datetime | None = None,
    ) -> int:
        """Write the video's daily numbers, one row per day: a day fetched again replaces
        its row. Each day has ``day`` (a date), ``views``, ``average_view_duration_s``,
        ``impressions_ctr`` and ``impressions`` (None or absent: unknown). Returns how many
        days were written."""
        at = utc(fetched_at or datetime.now(UTC))
        rows = {
            d["day"]: {
                "video_id": uuid.UUID(video_id),
                "date": d["day"],
                "youtube_video_id": youtube_video_id,
                "views": int(d["views"]),
                "impressions_ctr": d.get("impressions_ctr"),
                "impressions": d.get("impressions"),
                "average_view_duration_s": float(d["average_view_duration_s"]),
                "fetched_at": at,
            }
            for d in days
        }
        if not rows:
            return 0
        dialect = self.engine.dialect.name
        with self.session() as s:
            if dialect in ("postgresql", "sqlite"):
                upsert = postgresql.insert if dialect == "postgresql" else sqlite.insert
                # The table, not the entity: rows are keyed by column name ("date").
                table = cast(Table, VideoPerformance.__table__)
                statement = upsert(table)
                # Reach numbers come from another report than views: an unknown one (NULL)
                # keeps what the other report stored.
                kept = {
                    name: func.coalesce(statement.excluded[name], table.c[name])
                    for name in ("impressions_ctr", "impressions")
                }
                statement = statement.on_conflict_do_update(
                    index_elements=["video_id", "date"],
                    set_={
                        **{
                            name: statement.excluded[name]
                            for name in (
                                "youtube_video_id",
                                "views",
                                "average_view_duration_s",
                                "fetched_at",
                            )
                        },
                        **kept,
                    },
                )
                s.execute(statement, list(rows.values()))
            else:
                for row in rows.values():
                    fields = {k: v for k, v in row.items() if k != "date"}
                    s.merge(VideoPerformance(day=row["date"], **fields))
        return len(rows)

    def record_reach(self, video_id: str, days: Iterable[Mapping[str, Any]]) -> int:
        """Add thumbnail reach (``day``, ``impressions``, ``impressions_ctr``) to the video's
        stored days; a day YouTube Analytics has not brought yet is left out (its views are
        unknown). Returns how many days were updated."""
        updated = 0
        with self.session() as s:
            for d in days:
                result = s.execute(
                    update(VideoPerformance)
                    .where(
                        VideoPerformance.video_id == uuid.UUID(video_id),
                        VideoPerformance.day == d["day"],
                    )
                    .values(impressions=int(d["impressions"]), impressions_ctr=d["impressions_ctr"])
                )
                updated += cast(CursorResult[Any], result).rowcount
        return updated

    def performance(self, video_id: str | None = None) -> list[VideoPerformance]:
        """Stored daily numbers (of one video, given ``video_id``), by video then day."""
        with self.session() as s:
            query = select(VideoPerformance).order_by(
                VideoPerformance.video_id, VideoPerformance.day
            )
            if video_id is not None:
                query = query.where(VideoPerformance.video_id == uuid.UUID(video_id))
            return list(s.scalars(query))
