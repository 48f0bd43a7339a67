"""The seed's tables (§6.1) and ``videos``, as the walking skeleton created them.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_pipeline_events",
        sa.Column("event_id", sa.Uuid(), primary_key=True),
        sa.Column("pipeline_run_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(50), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("duration_ms", sa.Integer(), nullable=False),
        sa.Column("model_used", sa.String(100), nullable=True),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Numeric(3, 2), nullable=True),
        sa.Column("error_message", sa.Text(), nullable=True),
    )
    op.create_index(
        "ix_ai_pipeline_events_pipeline_run_id", "ai_pipeline_events", ["pipeline_run_id"]
    )
    op.create_table(
        "ai_model_performance",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("model_name", sa.String(100), nullable=False),
        sa.Column("operation", sa.String(50), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
        sa.Column("latency_ms", sa.Integer(), nullable=False),
        sa.Column("tokens_used", sa.Integer(), nullable=False),
        sa.Column("cost_cents", sa.Integer(), nullable=False),
        sa.Column("quality_score", sa.Numeric(3, 2), nullable=True),
        sa.Column("cache_hit", sa.Boolean(), nullable=False),
    )
    op.create_table(
        "ai_cost_breakdown",
        sa.Column("video_id", sa.Uuid(), primary_key=True),
        sa.Column("script_cost", sa.Numeric(10, 4), nullable=False),
        sa.Column("voice_cost", sa.Numeric(10, 4), nullable=False),
        sa.Column("thumbnail_cost", sa.Numeric(10, 4), nullable=False),
        sa.Column("processing_cost", sa.Numeric(10, 4), nullable=False),
        sa.Column("total_cost", sa.Numeric(10, 4), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "videos",
        sa.Column("video_id", sa.Uuid(), primary_key=True),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("topic", sa.String(300), nullable=False),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("destination", sa.String(20), nullable=False),
        sa.Column("location", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_videos_channel", "videos", ["channel"])


def downgrade() -> None:
    op.drop_table("videos")
    op.drop_table("ai_cost_breakdown")
    op.drop_table("ai_model_performance")
    op.drop_table("ai_pipeline_events")
