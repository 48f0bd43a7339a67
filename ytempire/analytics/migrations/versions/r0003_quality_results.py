"""Quality results: one row per quality check of a video (quality_suites/, docs/quality.md).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "quality_results",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("pipeline_run_id", sa.Uuid(), nullable=False),
        sa.Column("item", sa.String(64), nullable=False),
        sa.Column("check", sa.String(64), nullable=False),
        sa.Column("observed", sa.Text(), nullable=True),
        sa.Column("expectation", sa.Text(), nullable=False),
        sa.Column("passed", sa.Boolean(), nullable=False),
        sa.Column("gated", sa.Boolean(), nullable=False),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_quality_results_pipeline_run_id", "quality_results", ["pipeline_run_id"])
    op.create_index(
        "ix_quality_results_video_id_created_at", "quality_results", ["video_id", "created_at"]
    )


def downgrade() -> None:
    op.drop_index("ix_quality_results_video_id_created_at", "quality_results")
    op.drop_index("ix_quality_results_pipeline_run_id", "quality_results")
    op.drop_table("quality_results")
