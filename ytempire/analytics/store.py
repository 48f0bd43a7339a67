"""The analytics store: the one module that opens database sessions.

SQLite in the workspace by default, PostgreSQL (or anything SQLAlchemy speaks) by URL. Tables
are created on first use of a URL.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from ytempire.analytics.tables import Base, CostBreakdown, ModelPerformance, PipelineEvent, Video
from ytempire.models import Stage, StageRecord

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


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets readers and one writer work at once; the timeout makes writers queue, not fail.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per URL per process, with the tables created."""
    engine = create_engine(url, pool_pre_ping=True)
    if engine.dialect.name == "sqlite":
        database = engine.url.database
        if database and database != ":memory:":
            # The default store lives in the workspace, which a first run has not made yet.
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        event.listen(engine, "connect", _sqlite_pragmas)
    Base.metadata.create_all(engine)
    return engine


class AnalyticsStore:
    """Writes and reads the pipeline's records."""

    def __init__(self, url: str) -> None:
        self._sessions = sessionmaker(engine_for(url), expire_on_commit=False)

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
                    started_at=record.started_at,
                    completed_at=record.completed_at,
                    duration_ms=record.duration_ms,
                    model_used=record.engine,
                    cost_cents=_cents(record.cost_usd),
                    quality_score=_score(record.quality_score),
                    error_message=record.error,
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
    ) -> None:
        """Add one ``ai_model_performance`` row for a call to a model."""
        with self.session() as s:
            s.add(
                ModelPerformance(
                    model_name=model_name,
                    operation=operation,
                    timestamp=datetime.now(UTC),
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
        """The run's stages as the pipeline reported them (cost back in dollars)."""
        return [
            StageRecord(
                stage=Stage(e.stage),
                status=e.status,
                engine=e.model_used,
                started_at=_aware(e.started_at),
                completed_at=_aware(e.completed_at),
                cost_usd=e.cost_cents / 100,
                quality_score=None if e.quality_score is None else float(e.quality_score),
                error=e.error_message,
            )
            for e in self.events(run_id)
        ]

    def record_costs(self, video_id: str, costs: Mapping[Stage, float]) -> CostBreakdown:
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
            timestamp=datetime.now(UTC),
            **sums,
        )
        with self.session() as s:
            s.merge(row)
        return row

    def cost_breakdown(self, video_id: str) -> CostBreakdown | None:
        with self.session() as s:
            return s.get(CostBreakdown, uuid.UUID(video_id))

    def record_video(
        self, video_id: str, channel: str, topic: str, title: str, destination: str, location: str
    ) -> None:
        """Remember that a channel produced a video on ``topic`` (idempotent per video)."""
        with self.session() as s:
            s.merge(
                Video(
                    video_id=uuid.UUID(video_id),
                    channel=channel,
                    topic=topic,
                    title=title,
                    destination=destination,
                    location=location,
                    published_at=datetime.now(UTC),
                )
            )

    def produced_topics(self, channel: str) -> set[str]:
        """Lower-cased topics the channel already has videos on."""
        with self.session() as s:
            rows = s.scalars(select(Video.topic).where(Video.channel == channel))
            return {topic.lower() for topic in rows}
