"""Metric samples (seed §4.2 via the metrics queue), circuit breakers, time indexes for views.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ai_metric_samples",
        sa.Column("sample_id", sa.Uuid(), primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("timestamp", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_ai_metric_samples_name_timestamp", "ai_metric_samples", ["name", "timestamp"]
    )
    op.create_table(
        "circuit_breakers",
        sa.Column("provider", sa.String(50), primary_key=True),
        sa.Column("state", sa.String(10), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    # The views filter every table by time.
    op.create_index("ix_ai_pipeline_events_started_at", "ai_pipeline_events", ["started_at"])
    op.create_index("ix_ai_model_performance_timestamp", "ai_model_performance", ["timestamp"])
    op.create_index("ix_ai_cost_breakdown_timestamp", "ai_cost_breakdown", ["timestamp"])


def downgrade() -> None:
    op.drop_index("ix_ai_cost_breakdown_timestamp", "ai_cost_breakdown")
    op.drop_index("ix_ai_model_performance_timestamp", "ai_model_performance")
    op.drop_index("ix_ai_pipeline_events_started_at", "ai_pipeline_events")
    op.drop_table("circuit_breakers")
    op.drop_table("ai_metric_samples")
