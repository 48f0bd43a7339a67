"""Experiments: ``experiment_assignments`` (one row per experiment per video: the arm, the
factor and the value it applied; ytempire.learning.experiments) and
``video_performance.impressions`` (thumbnail impressions from the YouTube Reporting API's
reach report, so a click-through rate has its denominator; ytempire.learning.thumbnail_tests).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "experiment_assignments",
        sa.Column("experiment", sa.String(100), nullable=False),
        sa.Column("video_id", sa.Uuid(), nullable=False),
        sa.Column("arm", sa.String(50), nullable=False),
        sa.Column("factor", sa.String(30), nullable=False),
        sa.Column("value", sa.String(200), nullable=False),
        sa.Column("channel", sa.String(64), nullable=False),
        sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("experiment", "video_id"),
    )
    op.add_column("video_performance", sa.Column("impressions", sa.Integer(), nullable=True))


def downgrade() -> None:
    # SQLite alters a table by copying it: batch mode does that there, plain ALTER elsewhere.
    with op.batch_alter_table("video_performance") as batch:
        batch.drop_column("impressions")
    op.drop_table("experiment_assignments")
