"""SQLAlchemy tables: the seed's three (§6.1, columns exactly as specified) plus ``videos``."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    DateTime,
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
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    duration_ms: Mapped[int] = mapped_column(Integer)
    model_used: Mapped[str | None] = mapped_column(String(100))
    cost_cents: Mapped[int] = mapped_column(Integer)
    quality_score: Mapped[Decimal | None] = mapped_column(Numeric(3, 2))
    error_message: Mapped[str | None] = mapped_column(Text)


class ModelPerformance(Base):
    """One model call (seed table ``ai_model_performance``; the seed names no key, we add one)."""

    __tablename__ = "ai_model_performance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    model_name: Mapped[str] = mapped_column(String(100))
    operation: Mapped[str] = mapped_column(String(50))
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))
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
    timestamp: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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
