"""SQLAlchemy tables: the seed's three (§6.1, columns exactly as specified) plus what the
pipeline needs: ``videos`` (topics produced, uploads), ``circuit_breakers`` (provider breaker
state shared by concurrent runs), ``ai_metric_samples`` (the seed's §4.2 metrics with their
labels, as the metrics queue delivers them), ``quality_results`` (every quality check) and
``video_performance`` (published videos' daily numbers from YouTube Analytics).

The schema is created and changed by the Alembic migrations in ``migrations/versions``;
a change here needs a migration there (``tests/analytics/test_migrations.py`` compares them).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PipelineEvent(Base):
    """One stage of one pipeline run (seed table ``ai_pipeline_events``)."""

    __tablename__ = "ai_pipeline_events"

    event_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    pipeline_run_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    stage: Mapped[str] = mapped_column(String(50))
    status: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int] = mapped_column(Integer)
    model_used: Mapped[str | None] = mapped_column(String(100))
    cost_cents: Mapped[int] = mapped_column(Integer)
    quality_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    error_message: Mapped[str | None] = mapped_column(Text)
    # Not in the seed: the failure's kind as data (migration 0007), so views never re-read
    # it from the message. NULL on rows written before 0007, and on clean completions.
    error_kind: Mapped[str | None] = mapped_column(String(30))
    # Not in the seed either: the attempt's cost exactly (migration 0008), since the seed's
    # cents round a compute line or a cheap model's call to nothing. NULL before 0008.
    cost_micro_usd: Mapped[int | None] = mapped_column(BigInteger)


class ModelPerformance(Base):
    """One model call (seed table ``ai_model_performance``; the seed names no key, we add one)."""

    __tablename__ = "ai_model_performance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(50))
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    latency_ms: Mapped[int] = mapped_column(Integer)
    tokens_used: Mapped[int] = mapped_column(Integer)
    cost_cents: Mapped[int] = mapped_column(Integer)
    quality_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    cache_hit: Mapped[bool] = mapped_column(Boolean)


class CostBreakdown(Base):
    """What one video cost, by stage group (seed table ``ai_cost_breakdown``)."""

    __tablename__ = "ai_cost_breakdown"

    video_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    script_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    voice_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    thumbnail_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    processing_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    total_cost: Mapped[Decimal] = mapped_column(Numeric(10, 4))
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


class Video(Base):
    """One produced video: what topic a channel already covered, and where it went."""

    __tablename__ = "videos"

    video_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    channel: Mapped[str] = mapped_column(String(64), index=True)
    topic: Mapped[str] = mapped_column(String(300))
    title: Mapped[str] = mapped_column(String(100))
    destination: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(Text)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    youtube_video_id: Mapped[str | None] = mapped_column(String(20))


class CircuitBreaker(Base):
    """One provider's circuit breaker, kept here so concurrent runs and workers share it."""

    __tablename__ = "circuit_breakers"

    provider: Mapped[str] = mapped_column(String(50), primary_key=True)
    state: Mapped[str] = mapped_column(String(10), default="closed")
    failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class MetricSample(Base):
    """One observation of a seed §4.2 metric, e.g. ``script_generation_time_seconds``.

    ``sample_id`` is the id the producer gave the observation, so a batch delivered twice
    (after a crash between the database commit and the queue's acknowledgement) is stored once.
    ``labels`` is the label set as JSON with sorted keys, so equal label sets compare equal.
    """

    __tablename__ = "ai_metric_samples"
    __table_args__ = (Index("ix_ai_metric_samples_name_timestamp", "name", "timestamp"),)

    sample_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    labels: Mapped[str] = mapped_column(Text)
    value: Mapped[float] = mapped_column(Float)
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QualityResult(Base):
    """One quality check of one item of a video (``quality_suites/``): what was observed,
    what was expected, and what to do when it failed. ``gated`` False: informational."""

    __tablename__ = "quality_results"
    __table_args__ = (Index("ix_quality_results_video_id_created_at", "video_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    video_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    pipeline_run_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    item: Mapped[str] = mapped_column(String(64))
    check: Mapped[str] = mapped_column(String(64))
    observed: Mapped[str | None] = mapped_column(Text)
    expectation: Mapped[str] = mapped_column(Text)
    passed: Mapped[bool] = mapped_column(Boolean)
    gated: Mapped[bool] = mapped_column(Boolean)
    recommendation: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class VideoPerformance(Base):
    """One published video's numbers for one day, from YouTube Analytics; fetching the
    same day again replaces its row (the numbers settle over a few days)."""

    __tablename__ = "video_performance"

    video_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    day: Mapped[date] = mapped_column("date", Date, primary_key=True)
    youtube_video_id: Mapped[str] = mapped_column(String(20), index=True)
    views: Mapped[int] = mapped_column(Integer)
    # NULL: unknown. The Analytics API has no impressions (docs/publishing.md).
    impressions_ctr: Mapped[float | None] = mapped_column(Float)
    average_view_duration_s: Mapped[float] = mapped_column(Float)
    fetched_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Thumbnail impressions from the Reporting API's reach report (migration 0009), the
    # denominator of ``impressions_ctr``. NULL: unknown.
    impressions: Mapped[int | None] = mapped_column(Integer)


class VideoLease(Base):
    """Who is making a video now: one row per video id, held for the whole run and renewed
    while it runs (``ytempire.analytics.leases``); a lease past ``expires_at`` is free."""

    __tablename__ = "video_leases"

    video_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    owner: Mapped[str] = mapped_column(String(200))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    heartbeat: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class CostLedgerLine(Base):
    """One paid call or compute line of one video (``ytempire.analytics.ledger``): what was
    bought (``quantity`` ``unit``s of ``engine``), by which run and stage, and its cost in
    exact millionths of a dollar. A video's cost is the sum of its rows across all its runs."""

    __tablename__ = "cost_ledger"
    __table_args__ = (Index("ix_cost_ledger_run_id_stage", "pipeline_run_id", "stage"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    video_id: Mapped[uuid.UUID] = mapped_column(Uuid, index=True)
    pipeline_run_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    stage: Mapped[str] = mapped_column(String(50))
    engine: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(10))  # "call" or "compute"
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(20))
    cost_micro_usd: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)


class ExperimentAssignment(Base):
    """Which arm of an experiment a video got (``ytempire.learning.experiments``): the arm,
    the factor and the value it applied. A re-run of the video finds the same row."""

    __tablename__ = "experiment_assignments"

    experiment: Mapped[str] = mapped_column(String(100), primary_key=True)
    video_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    arm: Mapped[str] = mapped_column(String(50))
    factor: Mapped[str] = mapped_column(String(30))
    value: Mapped[str] = mapped_column(String(200))
    channel: Mapped[str] = mapped_column(String(64))
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class FootageUsage(Base):
    """A stock clip a video of a channel showed (``ytempire.analytics.footage_usage``); the
    channel's last videos' rows keep a clip from being shown again."""

    __tablename__ = "footage_usage"
    __table_args__ = (Index("ix_footage_usage_channel_used_at", "channel", "used_at"),)

    channel: Mapped[str] = mapped_column(String(64), primary_key=True)
    video_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    clip_id: Mapped[str] = mapped_column(String(500), primary_key=True)
    used_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
